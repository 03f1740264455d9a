package io.github.qcow2nio.format.crypto;

/**
 * XTS as IEEE 1619 defines it (the JDK has none, and the block modes elsewhere are different
 * standards), over AES or any other 16-byte block cipher: the key is Key1 || Key2, the 16-byte
 * tweak input is encrypted with Key2, and each 16-byte block j of the data unit is whitened with
 * that value multiplied by alpha^j in GF(2^128) (little-endian, reduction 0x87). A data unit
 * that is not a whole number of blocks ends in ciphertext stealing. Not thread-safe: one
 * instance per thread.
 */
final class Xts {
  private static final int BLOCK = 16;

  private final Ecb dataEncrypt;
  private final Ecb dataDecrypt;
  private final Ecb tweakEncrypt;
  /** The whitening values of one chunk of blocks, then XORed in with one AES call per chunk. */
  private final byte[] tweaks;
  private final byte[] t = new byte[BLOCK];
  private final byte[] last = new byte[BLOCK];

  /** XTS-AES. @param key Key1 || Key2, 32, 48 or 64 bytes; the caller wipes its own */
  Xts(byte[] key) {
    this(LuksCipher.AES, key);
  }

  /** @param key Key1 || Key2, two keys of {@code cipher}; copied, the caller wipes its own */
  Xts(LuksCipher cipher, byte[] key) {
    int half = key.length / 2;
    if (cipher.blockSize() != BLOCK || key.length % 2 != 0 || !cipher.isKeyLength(half)) {
      throw new IllegalArgumentException("XTS-" + cipher + " key of " + key.length + " bytes");
    }
    dataEncrypt = cipher.ecb(key, 0, half, true);
    dataDecrypt = cipher.ecb(key, 0, half, false);
    tweakEncrypt = cipher.ecb(key, half, half, true);
    tweaks = new byte[4096];
  }

  /** Decrypts the data unit {@code buf[off..off+len)} (at least 16 bytes) under tweak {@code iv}. */
  void decrypt(byte[] iv, byte[] buf, int off, int len) {
    crypt(iv, buf, off, len, false);
  }

  /** Encrypts the data unit {@code buf[off..off+len)} (at least 16 bytes) under tweak {@code iv}. */
  void encrypt(byte[] iv, byte[] buf, int off, int len) {
    crypt(iv, buf, off, len, true);
  }

  private void crypt(byte[] iv, byte[] buf, int off, int len, boolean encrypt) {
    if (len < BLOCK) {
      throw new IllegalArgumentException("XTS data unit of " + len + " bytes");
    }
    Ecb c = encrypt ? dataEncrypt : dataDecrypt;
    System.arraycopy(iv, 0, t, 0, BLOCK);
    tweakEncrypt.run(t, 0, BLOCK);
    int tail = len % BLOCK;
    // With stealing, the last whole block is handled with the partial one below.
    int bulk = tail == 0 ? len : len - tail - BLOCK;
    for (int done = 0; done < bulk; ) {
      int n = Math.min(tweaks.length, bulk - done);
      for (int b = 0; b < n; b += BLOCK) {
        System.arraycopy(t, 0, tweaks, b, BLOCK);
        multiplyByAlpha(t);
      }
      xor(buf, off + done, tweaks, 0, n);
      c.run(buf, off + done, n);
      xor(buf, off + done, tweaks, 0, n);
      done += n;
    }
    if (tail != 0) {
      steal(c, buf, off + bulk, tail, encrypt);
    }
    java.util.Arrays.fill(t, (byte) 0);
  }

  /**
   * The last whole block at {@code at} and the {@code tail} bytes after it. Encrypting, the whole
   * block is processed with the current tweak and its head becomes the short final block; the
   * partial plaintext padded with the rest of it goes in the whole block's place under the next
   * tweak. Decrypting undoes that, so the tweaks are taken in the other order.
   */
  private void steal(Ecb c, byte[] buf, int at, int tail, boolean encrypt) {
    byte[] t1 = tweaks;
    System.arraycopy(t, 0, t1, 0, BLOCK);
    multiplyByAlpha(t);
    System.arraycopy(t, 0, t1, BLOCK, BLOCK);
    int first = encrypt ? 0 : BLOCK;
    int second = encrypt ? BLOCK : 0;
    System.arraycopy(buf, at, last, 0, BLOCK);
    block(c, last, t1, first);
    // last = the whole block's output; its head is the final partial block.
    byte[] tailBytes = new byte[tail];
    System.arraycopy(buf, at + BLOCK, tailBytes, 0, tail);
    System.arraycopy(last, 0, buf, at + BLOCK, tail);
    System.arraycopy(tailBytes, 0, last, 0, tail);
    block(c, last, t1, second);
    System.arraycopy(last, 0, buf, at, BLOCK);
    java.util.Arrays.fill(last, (byte) 0);
    java.util.Arrays.fill(tailBytes, (byte) 0);
  }

  private static void block(Ecb c, byte[] b, byte[] tw, int twOff) {
    xor(b, 0, tw, twOff, BLOCK);
    c.run(b, 0, BLOCK);
    xor(b, 0, tw, twOff, BLOCK);
  }

  /** Multiplication by x in GF(2^128), the tweak's bytes little-endian. */
  static void multiplyByAlpha(byte[] t) {
    int carry = (t[15] >>> 7) & 1;
    for (int i = 15; i > 0; i--) {
      t[i] = (byte) ((t[i] << 1) | ((t[i - 1] & 0xff) >>> 7));
    }
    t[0] = (byte) ((t[0] << 1) ^ (carry * 0x87));
  }

  private static void xor(byte[] dst, int dOff, byte[] src, int sOff, int n) {
    for (int i = 0; i < n; i++) {
      dst[dOff + i] ^= src[sOff + i];
    }
  }
}
