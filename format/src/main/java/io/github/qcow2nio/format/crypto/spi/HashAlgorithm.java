package io.github.qcow2nio.format.crypto.spi;

/** A cryptographic hash, stateless; the core builds HMAC (RFC 2104) and PBKDF2 on it. */
public interface HashAlgorithm {
  /** Bytes of output. */
  int digestLength();

  /** Bytes of the compression function's input block (HMAC pads its key to this). */
  int blockLength();

  /** A fresh hash computation, for one thread. */
  HashFunction newInstance();
}
