package io.github.qcow2nio.format.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * HMAC, the PRF of PBKDF2: the JDK's Mac for its own hashes, and RFC 2104 written out over any
 * other digest (H(K ^ opad || H(K ^ ipad || text)), the key hashed first when longer than the
 * block). Keyed once, reusable after each {@link #doFinal}; one instance per thread.
 */
abstract class Hmac {
  abstract int length();

  abstract void update(byte[] b, int off, int len);

  /** Writes the MAC to {@code out[off..)} and starts a new message under the same key. */
  abstract void doFinal(byte[] out, int off);

  /** Wipes the key material this instance holds (the JDK's Mac keeps its own copy). */
  abstract void wipe();

  static Hmac jdk(Mac m) {
    return new Hmac() {
      @Override
      int length() {
        return m.getMacLength();
      }

      @Override
      void update(byte[] b, int off, int len) {
        m.update(b, off, len);
      }

      @Override
      void doFinal(byte[] out, int off) {
        try {
          m.doFinal(out, off);
        } catch (ShortBufferException e) {
          throw new IllegalStateException("HMAC output buffer", e);
        }
      }

      @Override
      void wipe() {}
    };
  }

  static Hmac over(MessageDigest md, int blockLength, byte[] key) {
    return new Rfc2104(md, blockLength, key);
  }

  private static final class Rfc2104 extends Hmac {
    private final MessageDigest md;
    private final int length;
    private final byte[] innerPad;
    private final byte[] outerPad;
    private final byte[] inner;

    Rfc2104(MessageDigest md, int blockLength, byte[] key) {
      this.md = md;
      this.length = md.getDigestLength();
      byte[] k = key.length > blockLength ? md.digest(key) : key;
      innerPad = new byte[blockLength];
      outerPad = new byte[blockLength];
      for (int i = 0; i < blockLength; i++) {
        byte b = i < k.length ? k[i] : 0;
        innerPad[i] = (byte) (b ^ 0x36);
        outerPad[i] = (byte) (b ^ 0x5c);
      }
      if (k != key) {
        Secrets.wipe(k);
      }
      inner = new byte[length];
      md.update(innerPad);
    }

    @Override
    int length() {
      return length;
    }

    @Override
    void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    void doFinal(byte[] out, int off) {
      try {
        md.digest(inner, 0, length);
        md.update(outerPad);
        md.update(inner);
        md.digest(out, off, length);
      } catch (DigestException e) {
        throw new IllegalStateException("digest output buffer", e);
      }
      md.update(innerPad);
    }

    @Override
    void wipe() {
      Secrets.wipe(innerPad, outerPad, inner);
    }
  }
}
