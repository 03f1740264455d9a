package io.github.qcow2nio.format.crypto;

/**
 * The per-sector IV (or XTS tweak input) of a LUKS cipher mode's IV part: {@code plain} (the
 * sector number's low 32 bits, little-endian), {@code plain64} (all 64 bits, little-endian) and
 * {@code essiv:HASH} (the plain64 block encrypted under HASH(master key) with the payload's own
 * cipher family, keyed by the digest as qemu-img does), each padded with zeros to the cipher's
 * block (16 bytes, or 8 for cast5). Not thread-safe: one instance per thread.
 */
abstract class IvGenerator {
  /** Fills {@code iv} (one cipher block, 8 or 16 bytes) with the IV of {@code sector}. */
  abstract void iv(long sector, byte[] iv);

  static void plain64(long sector, byte[] iv) {
    for (int i = 0; i < 8; i++) {
      iv[i] = (byte) (sector >>> (8 * i));
    }
    java.util.Arrays.fill(iv, 8, iv.length, (byte) 0);
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

  /** ESSIV over AES: {@code hash}'s output must be an AES key length (md5 or sha256). */
  static IvGenerator essiv(LuksHash hash, byte[] masterKey) {
    return essiv(LuksCipher.AES, hash, masterKey);
  }

  /** ESSIV over {@code cipher}, keyed by {@code hash}(master key); the digest must be a key. */
  static IvGenerator essiv(LuksCipher cipher, LuksHash hash, byte[] masterKey) {
    byte[] salt = hash.newDigest().digest(masterKey);
    Ecb e;
    try {
      e = cipher.ecb(salt, 0, salt.length, true);
    } finally {
      Secrets.wipe(salt);
    }
    return new IvGenerator() {
      @Override
      void iv(long sector, byte[] iv) {
        plain64(sector, iv);
        e.run(iv, 0, iv.length);
      }
    };
  }
}
