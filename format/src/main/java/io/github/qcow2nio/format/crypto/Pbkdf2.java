package io.github.qcow2nio.format.crypto;

/**
 * PBKDF2 (RFC 8018 section 5.2) over HMAC ({@link Hmac}). The JDK's own SecretKeyFactory takes the
 * password as {@code char[]} and encodes it itself; LUKS passphrases are arbitrary bytes, so the
 * derivation is written over {@code Mac}.
 */
final class Pbkdf2 {
  private Pbkdf2() {}

  /**
   * {@code length} bytes derived from {@code password} and {@code salt} in {@code iterations}
   * rounds of HMAC over {@code hash}. The caller wipes the result.
   */
  static byte[] derive(LuksHash hash, byte[] password, byte[] salt, int iterations, int length) {
    if (iterations < 1 || length < 1) {
      throw new IllegalArgumentException("iterations " + iterations + ", length " + length);
    }
    Hmac mac = hash.newHmac(password);
    int h = mac.length();
    byte[] out = new byte[length];
    byte[] u = new byte[h];
    byte[] t = new byte[h];
    byte[] index = new byte[4];
    try {
      for (int block = 1, pos = 0; pos < length; block++, pos += h) {
        index[0] = (byte) (block >>> 24);
        index[1] = (byte) (block >>> 16);
        index[2] = (byte) (block >>> 8);
        index[3] = (byte) block;
        mac.update(salt, 0, salt.length);
        mac.update(index, 0, 4);
        mac.doFinal(u, 0);
        System.arraycopy(u, 0, t, 0, h);
        for (int i = 1; i < iterations; i++) {
          mac.update(u, 0, h);
          mac.doFinal(u, 0);
          for (int j = 0; j < h; j++) {
            t[j] ^= u[j];
          }
        }
        System.arraycopy(t, 0, out, pos, Math.min(h, length - pos));
      }
      return out;
    } finally {
      Secrets.wipe(u, t);
      mac.wipe();
    }
  }
}
