package io.github.qcow2nio.format.crypto.spi;

/**
 * A keyed block function (the cipher with no mode, as ECB applies it): one direction, for one
 * thread. The core calls it on the sector data path, so it must not allocate per call.
 */
public interface BlockCipher {
  /** Encrypts or decrypts the whole blocks {@code buf[off..off+len)} in place, each on its own. */
  void processBlocks(byte[] buf, int off, int len);
}
