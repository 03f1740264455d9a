package io.github.qcow2nio.format.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/** The JDK's raw AES block function (ECB, no padding): every mode here is built on it. */
final class Aes {
  private Aes() {}

  static boolean validKeyLength(int n) {
    return n == 16 || n == 24 || n == 32;
  }

  /**
   * An AES block cipher for {@code key[off..off+len)} in {@code mode} (Cipher.ENCRYPT_MODE or
   * DECRYPT_MODE). The JDK copies the key; the caller keeps and wipes its own array.
   */
  static Cipher ecb(int mode, byte[] key, int off, int len) {
    if (!validKeyLength(len)) {
      throw new IllegalArgumentException("AES key of " + len + " bytes");
    }
    try {
      Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
      c.init(mode, new SecretKeySpec(key, off, len, "AES"));
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/ECB/NoPadding missing from the JDK", e);
    }
  }

  /** Runs {@code c} over whole blocks in place. */
  static void run(Cipher c, byte[] buf, int off, int len) {
    try {
      c.doFinal(buf, off, len, buf, off);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES over " + len + " bytes", e);
    }
  }
}
