package io.github.qcow2nio.format.crypto;

/**
 * Encrypts and decrypts runs of 512-byte sectors, each with the IV of its own sector number, in
 * one of the LUKS chaining modes (XTS, CBC, ECB, CTR) over any block cipher. A run may end in a
 * shorter sector (LUKS key material is not always a whole number of sectors), which is processed
 * the same way over its own length. Nothing is allocated per sector. Not thread-safe.
 */
final class SectorCipher {
  static final int SECTOR = 512;

  /** The chaining modes qemu-img offers; ECB ignores the IV (qemu gives it none). */
  enum Mode {
    XTS, CBC, ECB, CTR
  }

  private final Mode mode;
  private final int block;
  private final Xts xts;
  private final Ecb encryptBlocks;
  private final Ecb decryptBlocks;
  private final IvGenerator ivs;
  private final byte[] iv;
  /** CBC decrypt needs the ciphertext of the block before, CTR the key stream: one sector. */
  private final byte[] scratch = new byte[SECTOR];

  /** AES in XTS or CBC, as before other ciphers existed. */
  SectorCipher(boolean xtsMode, byte[] key, IvGenerator ivs) {
    this(LuksCipher.AES, xtsMode ? Mode.XTS : Mode.CBC, key, ivs);
  }

  SectorCipher(LuksCipher cipher, Mode mode, byte[] key, IvGenerator ivs) {
    this.mode = mode;
    this.block = cipher.blockSize();
    this.ivs = ivs;
    this.iv = new byte[block];
    if (mode == Mode.XTS) {
      xts = new Xts(cipher, key);
      encryptBlocks = null;
      decryptBlocks = null;
    } else {
      xts = null;
      encryptBlocks = cipher.ecb(key, 0, key.length, true);
      // CTR runs the cipher forwards both ways.
      decryptBlocks = mode == Mode.CTR ? encryptBlocks : cipher.ecb(key, 0, key.length, false);
    }
  }

  /** Decrypts {@code buf[off..off+len)} in place, its first sector being {@code sector}. */
  void decrypt(byte[] buf, int off, int len, long sector) {
    for (int done = 0; done < len; done += SECTOR, sector++) {
      int n = Math.min(SECTOR, len - done);
      if (mode != Mode.ECB) {
        ivs.iv(sector, iv);
      }
      switch (mode) {
        case XTS -> xts.decrypt(iv, buf, off + done, n);
        case CBC -> cbcDecrypt(buf, off + done, n);
        case ECB -> ecb(decryptBlocks, buf, off + done, n);
        case CTR -> ctr(buf, off + done, n);
      }
    }
  }

  /** Encrypts {@code buf[off..off+len)} in place, its first sector being {@code sector}. */
  void encrypt(byte[] buf, int off, int len, long sector) {
    for (int done = 0; done < len; done += SECTOR, sector++) {
      int n = Math.min(SECTOR, len - done);
      if (mode != Mode.ECB) {
        ivs.iv(sector, iv);
      }
      switch (mode) {
        case XTS -> xts.encrypt(iv, buf, off + done, n);
        case CBC -> cbcEncrypt(buf, off + done, n);
        case ECB -> ecb(encryptBlocks, buf, off + done, n);
        case CTR -> ctr(buf, off + done, n);
      }
    }
  }

  private void cbcDecrypt(byte[] buf, int off, int n) {
    requireBlocks(n);
    // P[i] = D(C[i]) ^ C[i-1], with C[-1] the IV: one cipher call over the whole sector.
    System.arraycopy(buf, off, scratch, 0, n);
    decryptBlocks.run(buf, off, n);
    for (int i = 0; i < block; i++) {
      buf[off + i] ^= iv[i];
    }
    for (int i = block; i < n; i++) {
      buf[off + i] ^= scratch[i - block];
    }
  }

  private void cbcEncrypt(byte[] buf, int off, int n) {
    requireBlocks(n);
    byte[] chain = iv;
    int chainOff = 0;
    for (int b = 0; b < n; b += block) {
      for (int i = 0; i < block; i++) {
        buf[off + b + i] ^= chain[chainOff + i];
      }
      encryptBlocks.run(buf, off + b, block);
      chain = buf;
      chainOff = off + b;
    }
  }

  private void ecb(Ecb e, byte[] buf, int off, int n) {
    requireBlocks(n);
    e.run(buf, off, n);
  }

  /**
   * Counter mode: the key stream is the cipher over the IV, the IV plus one, and so on (the
   * whole block a big-endian counter); a last partial block uses the head of its key stream.
   */
  private void ctr(byte[] buf, int off, int n) {
    int blocks = (n + block - 1) / block;
    for (int b = 0; b < blocks; b++) {
      System.arraycopy(iv, 0, scratch, b * block, block);
      for (int i = block - 1; i >= 0 && ++iv[i] == 0; i--) {
        // carry into the next byte up
      }
    }
    encryptBlocks.run(scratch, 0, blocks * block);
    for (int i = 0; i < n; i++) {
      buf[off + i] ^= scratch[i];
    }
  }

  private void requireBlocks(int n) {
    if (n % block != 0) {
      throw new IllegalArgumentException(mode + " over " + n + " bytes, not whole blocks");
    }
  }
}
