package io.github.qcow2nio.format.crypto.spi;

/** One running hash computation, for one thread; reusable after each {@link #doFinal}. */
public interface HashFunction {
  void update(byte[] b, int off, int len);

  /** Writes the digest to {@code out[off..)} and starts over. */
  void doFinal(byte[] out, int off);
}
