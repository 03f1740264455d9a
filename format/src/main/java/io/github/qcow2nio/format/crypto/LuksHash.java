package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.crypto.spi.HashAlgorithm;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A hash-spec a LUKS1 header may carry: the PRF of PBKDF2 is HMAC over the hash, and AF-merge's
 * diffuse function (and ESSIV's salt) the plain hash. The JDK's hashes are built in and use its
 * own HMAC; a hash from a provider module gets RFC 2104 HMAC written here ({@link Hmac}).
 */
final class LuksHash {
  static final LuksHash MD5 = new LuksHash("md5", "MD5", "HmacMD5", 16, null);
  static final LuksHash SHA1 = new LuksHash("sha1", "SHA-1", "HmacSHA1", 20, null);
  static final LuksHash SHA224 = new LuksHash("sha224", "SHA-224", "HmacSHA224", 28, null);
  static final LuksHash SHA256 = new LuksHash("sha256", "SHA-256", "HmacSHA256", 32, null);
  static final LuksHash SHA384 = new LuksHash("sha384", "SHA-384", "HmacSHA384", 48, null);
  static final LuksHash SHA512 = new LuksHash("sha512", "SHA-512", "HmacSHA512", 64, null);
  private static final List<LuksHash> BUILT_IN = List.of(MD5, SHA1, SHA224, SHA256, SHA384, SHA512);

  private final String luksName;
  private final String digest;
  private final String mac;
  private final int length;
  private final HashAlgorithm provided;

  private LuksHash(String luksName, String digest, String mac, int length,
      HashAlgorithm provided) {
    this.luksName = luksName;
    this.digest = digest;
    this.mac = mac;
    this.length = length;
    this.provided = provided;
  }

  static LuksHash provided(String luksName, HashAlgorithm algorithm) {
    if (algorithm.digestLength() < 1 || algorithm.blockLength() < algorithm.digestLength()) {
      throw new IllegalStateException("hash " + luksName + ": digest " + algorithm.digestLength()
          + " bytes, block " + algorithm.blockLength());
    }
    return new LuksHash(luksName, null, null, algorithm.digestLength(), algorithm);
  }

  /** The hashes the JDK has (an array, as when this was an enum of them). */
  static LuksHash[] values() {
    return BUILT_IN.toArray(LuksHash[]::new);
  }

  static Optional<LuksHash> builtIn(String lowerCaseName) {
    return BUILT_IN.stream().filter(h -> h.luksName.equals(lowerCaseName)).findFirst();
  }

  /**
   * The hash a header's hash-spec (or ESSIV's hash) names, case as cryptsetup ignores it: built
   * in, or from a provider module.
   */
  static Optional<LuksHash> byName(String name) {
    return Algorithms.hash(name);
  }

  String luksName() {
    return luksName;
  }

  int length() {
    return length;
  }

  MessageDigest newDigest() {
    if (provided != null) {
      return new ProvidedDigest(luksName, provided);
    }
    try {
      return MessageDigest.getInstance(digest);
    } catch (NoSuchAlgorithmException e) {
      // Every Java SE platform must provide these.
      throw new IllegalStateException(digest + " missing from the JDK", e);
    }
  }

  /** HMAC keyed with {@code key} (copied; the caller wipes its own). */
  Hmac newHmac(byte[] key) {
    if (provided != null) {
      return Hmac.over(newDigest(), provided.blockLength(), key);
    }
    try {
      Mac m = Mac.getInstance(mac);
      // HMAC pads its key with zeros to the block size, so an empty key and a single zero byte
      // are the same key; SecretKeySpec refuses empty keys.
      m.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, mac));
      return Hmac.jdk(m);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(mac + " missing from the JDK or refused a raw key", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LuksHash h && h.luksName.equals(luksName);
  }

  @Override
  public int hashCode() {
    return luksName.hashCode();
  }

  @Override
  public String toString() {
    return luksName;
  }
}
