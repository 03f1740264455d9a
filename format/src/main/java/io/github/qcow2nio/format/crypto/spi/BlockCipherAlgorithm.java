package io.github.qcow2nio.format.crypto.spi;

/** A block cipher family (one name, several key lengths), stateless. */
public interface BlockCipherAlgorithm {
  /** Bytes per block: 16, or 8 for 64-bit ciphers such as cast5 (which cannot do XTS). */
  int blockSize();

  /** Whether {@code bytes} is a key length of this cipher. */
  boolean isKeyLength(int bytes);

  /**
   * The raw block function keyed with {@code key[off..off+len)} ({@link #isKeyLength} true of
   * {@code len}), encrypting or decrypting. The instance keeps its own copy of the key schedule;
   * the caller keeps and wipes its array.
   */
  BlockCipher newInstance(byte[] key, int off, int len, boolean encrypt);
}
