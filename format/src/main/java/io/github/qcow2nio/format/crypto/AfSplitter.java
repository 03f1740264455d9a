package io.github.qcow2nio.format.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The LUKS1 anti-forensic splitter: a key slot stores the master key spread over {@code stripes}
 * blocks so that losing any part of the material loses the key. Merging XORs each stripe but the
 * last into an accumulator that is diffused (hashed piecewise, each piece prefixed by its index as
 * a big-endian 32-bit number) after every stripe; the last stripe XOR the accumulator is the key.
 */
final class AfSplitter {
  private AfSplitter() {}

  /** The key of {@code blockSize} bytes held in {@code material} ({@code blockSize * stripes}). */
  static byte[] merge(byte[] material, int blockSize, int stripes, LuksHash hash) {
    check(material.length, blockSize, stripes);
    byte[] d = new byte[blockSize];
    Diffuser diffuser = new Diffuser(hash, blockSize);
    try {
      for (int i = 0; i < stripes - 1; i++) {
        xor(d, material, i * blockSize);
        diffuser.diffuse(d);
      }
      xor(d, material, (stripes - 1) * blockSize);
      return d;
    } finally {
      diffuser.wipe();
    }
  }

  /** The inverse of {@link #merge}: random stripes but the last, which makes the key come back. */
  static byte[] split(byte[] key, int stripes, LuksHash hash, SecureRandom random) {
    int blockSize = key.length;
    check((long) blockSize * stripes, blockSize, stripes);
    byte[] material = new byte[blockSize * stripes];
    byte[] d = new byte[blockSize];
    Diffuser diffuser = new Diffuser(hash, blockSize);
    try {
      byte[] stripe = new byte[blockSize];
      for (int i = 0; i < stripes - 1; i++) {
        random.nextBytes(stripe);
        System.arraycopy(stripe, 0, material, i * blockSize, blockSize);
        xor(d, stripe, 0);
        diffuser.diffuse(d);
      }
      Secrets.wipe(stripe);
      for (int j = 0; j < blockSize; j++) {
        material[(stripes - 1) * blockSize + j] = (byte) (d[j] ^ key[j]);
      }
      return material;
    } finally {
      Secrets.wipe(d);
      diffuser.wipe();
    }
  }

  private static void check(long materialLength, int blockSize, int stripes) {
    if (blockSize < 1 || stripes < 1 || materialLength != (long) blockSize * stripes
        || materialLength > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "material of " + materialLength + " bytes for " + stripes + " stripes of " + blockSize);
    }
  }

  private static void xor(byte[] d, byte[] src, int off) {
    for (int j = 0; j < d.length; j++) {
      d[j] ^= src[off + j];
    }
  }

  /** The diffuse function, with its digest and scratch reused across stripes. */
  private static final class Diffuser {
    private final MessageDigest md;
    private final int ds;
    private final byte[] out;
    private final byte[] index = new byte[4];

    Diffuser(LuksHash hash, int blockSize) {
      this.md = hash.newDigest();
      this.ds = hash.length();
      this.out = new byte[ds];
    }

    void diffuse(byte[] d) {
      try {
        for (int j = 0, off = 0; off < d.length; j++, off += ds) {
          int n = Math.min(ds, d.length - off);
          index[0] = (byte) (j >>> 24);
          index[1] = (byte) (j >>> 16);
          index[2] = (byte) (j >>> 8);
          index[3] = (byte) j;
          md.update(index);
          md.update(d, off, n);
          md.digest(out, 0, ds);
          System.arraycopy(out, 0, d, off, n);
        }
      } catch (DigestException e) {
        throw new IllegalStateException("digest output buffer", e);
      }
    }

    void wipe() {
      Secrets.wipe(out);
    }
  }
}
