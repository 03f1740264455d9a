package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.crypto.spi.BlockCipherAlgorithm;
import javax.crypto.Cipher;

/**
 * A block cipher family a LUKS header names ({@code aes}, {@code twofish}...): its block size,
 * key lengths and keyed block functions. AES is built in over the JDK; the others wrap what a
 * provider module offers ({@link Algorithms}).
 */
final class LuksCipher {
  static final LuksCipher AES = new LuksCipher("aes", 16, null);

  private final String name;
  private final int blockSize;
  private final BlockCipherAlgorithm provided;

  private LuksCipher(String name, int blockSize, BlockCipherAlgorithm provided) {
    this.name = name;
    this.blockSize = blockSize;
    this.provided = provided;
  }

  static LuksCipher provided(String name, BlockCipherAlgorithm algorithm) {
    int b = algorithm.blockSize();
    if (b != 8 && b != 16) {
      throw new IllegalStateException("cipher " + name + " has " + b + "-byte blocks, not 8 or 16");
    }
    return new LuksCipher(name, b, algorithm);
  }

  /** The LUKS cipher-name, lower case. */
  String name() {
    return name;
  }

  int blockSize() {
    return blockSize;
  }

  boolean isKeyLength(int bytes) {
    return provided == null ? Aes.validKeyLength(bytes) : provided.isKeyLength(bytes);
  }

  /** The block function keyed with {@code key[off..off+len)}; the caller wipes its array. */
  Ecb ecb(byte[] key, int off, int len, boolean encrypt) {
    if (!isKeyLength(len)) {
      throw new IllegalArgumentException(name + " key of " + len + " bytes");
    }
    if (provided == null) {
      return Ecb.jdk(Aes.ecb(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key, off, len));
    }
    return Ecb.provided(provided.newInstance(key, off, len, encrypt));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LuksCipher c && c.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
