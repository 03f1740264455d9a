package io.github.qcow2nio.format.crypto;

import javax.crypto.Cipher;

/**
 * Encrypts and decrypts runs of 512-byte sectors, each with the IV of its own sector number,
 * in XTS or CBC. A run may end in a shorter sector (LUKS key material is not always a whole
 * number of sectors), which is processed the same way over its own length. Not thread-safe.
 */
final class SectorCipher {
  static final int SECTOR = 512;

  private final Xts xts;
  private final Cipher cbcEncrypt;
  private final Cipher cbcDecrypt;
  private final IvGenerator ivs;
  private final byte[] iv = new byte[16];
  /** CBC decrypt needs the ciphertext of the block before; one sector of it. */
  private final byte[] previous = new byte[SECTOR];

  SectorCipher(boolean xtsMode, byte[] key, IvGenerator ivs) {
    this.ivs = ivs;
    if (xtsMode) {
      xts = new Xts(key);
      cbcEncrypt = null;
      cbcDecrypt = null;
    } else {
      xts = null;
      cbcEncrypt = Aes.ecb(Cipher.ENCRYPT_MODE, key, 0, key.length);
      cbcDecrypt = Aes.ecb(Cipher.DECRYPT_MODE, key, 0, key.length);
    }
  }

  /** Decrypts {@code buf[off..off+len)} in place, its first sector being {@code sector}. */
  void decrypt(byte[] buf, int off, int len, long sector) {
    for (int done = 0; done < len; done += SECTOR, sector++) {
      int n = Math.min(SECTOR, len - done);
      ivs.iv(sector, iv);
      if (xts != null) {
        xts.decrypt(iv, buf, off + done, n);
      } else {
        cbcDecrypt(buf, off + done, n);
      }
    }
  }

  /** Encrypts {@code buf[off..off+len)} in place, its first sector being {@code sector}. */
  void encrypt(byte[] buf, int off, int len, long sector) {
    for (int done = 0; done < len; done += SECTOR, sector++) {
      int n = Math.min(SECTOR, len - done);
      ivs.iv(sector, iv);
      if (xts != null) {
        xts.encrypt(iv, buf, off + done, n);
      } else {
        cbcEncrypt(buf, off + done, n);
      }
    }
  }

  private void cbcDecrypt(byte[] buf, int off, int n) {
    requireBlocks(n);
    // P[i] = D(C[i]) ^ C[i-1], with C[-1] the IV: one AES call over the whole sector.
    System.arraycopy(buf, off, previous, 0, n);
    Aes.run(cbcDecrypt, buf, off, n);
    for (int i = 0; i < 16; i++) {
      buf[off + i] ^= iv[i];
    }
    for (int i = 16; i < n; i++) {
      buf[off + i] ^= previous[i - 16];
    }
  }

  private void cbcEncrypt(byte[] buf, int off, int n) {
    requireBlocks(n);
    byte[] chain = iv;
    int chainOff = 0;
    for (int b = 0; b < n; b += 16) {
      for (int i = 0; i < 16; i++) {
        buf[off + b + i] ^= chain[chainOff + i];
      }
      Aes.run(cbcEncrypt, buf, off + b, 16);
      chain = buf;
      chainOff = off + b;
    }
  }

  private static void requireBlocks(int n) {
    if (n % 16 != 0) {
      throw new IllegalArgumentException("CBC over " + n + " bytes, not whole blocks");
    }
  }
}
