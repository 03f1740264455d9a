package io.github.qcow2nio.format.crypto;

import javax.crypto.Cipher;

/**
 * The per-sector IV (or XTS tweak input) of a LUKS cipher mode's IV part: {@code plain} (the
 * sector number's low 32 bits, little-endian), {@code plain64} (all 64 bits, little-endian) and
 * {@code essiv:HASH} (the plain64 block encrypted with AES under HASH(master key)), each padded
 * with zeros to the 16-byte block. Not thread-safe: one instance per thread.
 */
abstract class IvGenerator {
  /** Fills {@code iv} (16 bytes) with the IV of {@code sector}. */
  abstract void iv(long sector, byte[] iv);

  static void plain64(long sector, byte[] iv) {
    for (int i = 0; i < 8; i++) {
      iv[i] = (byte) (sector >>> (8 * i));
    }
    java.util.Arrays.fill(iv, 8, 16, (byte) 0);
  }

  static IvGenerator plain() {
    return new IvGenerator() {
      @Override
      void iv(long sector, byte[] iv) {
        plain64(sector & 0xffffffffL, iv);
      }
    };
  }

  static IvGenerator plain64() {
    return new IvGenerator() {
      @Override
      void iv(long sector, byte[] iv) {
        plain64(sector, iv);
      }
    };
  }

  /** ESSIV: {@code hash}'s output must be an AES key length (sha256 gives AES-256). */
  static IvGenerator essiv(LuksHash hash, byte[] masterKey) {
    byte[] salt = hash.newDigest().digest(masterKey);
    Cipher aes;
    try {
      aes = Aes.ecb(Cipher.ENCRYPT_MODE, salt, 0, salt.length);
    } finally {
      Secrets.wipe(salt);
    }
    return new IvGenerator() {
      @Override
      void iv(long sector, byte[] iv) {
        plain64(sector, iv);
        Aes.run(aes, iv, 0, 16);
      }
    };
  }
}
