package io.github.qcow2nio.format.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;

/**
 * The hash-spec names a LUKS1 header may carry that the JDK has: the PRF of PBKDF2 is HMAC over
 * the hash, and AF-merge's diffuse function is the plain hash.
 */
enum LuksHash {
  SHA1("sha1", "SHA-1", "HmacSHA1", 20),
  SHA224("sha224", "SHA-224", "HmacSHA224", 28),
  SHA256("sha256", "SHA-256", "HmacSHA256", 32),
  SHA384("sha384", "SHA-384", "HmacSHA384", 48),
  SHA512("sha512", "SHA-512", "HmacSHA512", 64);

  private final String luksName;
  private final String digest;
  private final String mac;
  private final int length;

  LuksHash(String luksName, String digest, String mac, int length) {
    this.luksName = luksName;
    this.digest = digest;
    this.mac = mac;
    this.length = length;
  }

  /** The hash a header's hash-spec (or ESSIV's hash) names, case as cryptsetup ignores it. */
  static Optional<LuksHash> byName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (LuksHash h : values()) {
      if (h.luksName.equals(n)) {
        return Optional.of(h);
      }
    }
    return Optional.empty();
  }

  String luksName() {
    return luksName;
  }

  int length() {
    return length;
  }

  String macAlgorithm() {
    return mac;
  }

  MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(digest);
    } catch (NoSuchAlgorithmException e) {
      // Every Java SE platform must provide these.
      throw new IllegalStateException(digest + " missing from the JDK", e);
    }
  }

  Mac newMac() {
    try {
      return Mac.getInstance(mac);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(mac + " missing from the JDK", e);
    }
  }
}
