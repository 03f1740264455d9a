package io.github.qcow2nio.format.crypto;

import java.util.Arrays;

/** Wiping of key material and passphrases once they have served. */
final class Secrets {
  private Secrets() {}

  static void wipe(byte[]... arrays) {
    for (byte[] a : arrays) {
      if (a != null) {
        Arrays.fill(a, (byte) 0);
      }
    }
  }

  /** Compares in time independent of where the arrays first differ. */
  static boolean equalsConstantTime(byte[] a, byte[] b) {
    return java.security.MessageDigest.isEqual(a, b);
  }
}
