package io.github.qcow2nio.format.crypto;

import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * PBKDF2 (RFC 8018 section 5.2) over the JDK's HMAC. The JDK's own SecretKeyFactory takes the
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
    Mac mac = hash.newMac();
    // HMAC pads its key with zeros to the block size, so an empty key and a single zero byte are
    // the same key; SecretKeySpec refuses empty keys.
    byte[] key = password.length == 0 ? new byte[1] : password;
    try {
      mac.init(new SecretKeySpec(key, hash.macAlgorithm()));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC refused a raw key", e);
    }
    int h = mac.getMacLength();
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
        mac.update(salt);
        mac.update(index);
        mac.doFinal(u, 0);
        System.arraycopy(u, 0, t, 0, h);
        for (int i = 1; i < iterations; i++) {
          mac.update(u);
          mac.doFinal(u, 0);
          for (int j = 0; j < h; j++) {
            t[j] ^= u[j];
          }
        }
        System.arraycopy(t, 0, out, pos, Math.min(h, length - pos));
      }
      return out;
    } catch (ShortBufferException e) {
      throw new IllegalStateException("HMAC output buffer", e);
    } finally {
      Secrets.wipe(u, t);
    }
  }
}
