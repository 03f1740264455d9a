package io.github.qcow2nio.extraciphers;

import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.KeySecret;
import java.util.ArrayList;
import java.util.List;

/**
 * One set of {@code encrypt.*} options with this module's ciphers, and the matrix of those
 * qemu-img 7.2 accepts, as observed here with {@code qemu-img create -f qcow2 -o
 * encrypt.format=luks,...}: twofish and serpent with 128-, 192- and 256-bit keys and cast5 with
 * 128; chaining modes xts, cbc, ecb and ctr, except that a 192-bit key takes xts only (qemu-img
 * aborts on the others: 24 * 4000 bytes of key material is not whole sectors) and cast5 (8-byte
 * blocks) no xts; IV generators plain, plain64 and essiv, ESSIV's hash being one whose digest is
 * a key of the same cipher (md5 or sha256; md5 only for cast5); any hash for PBKDF2, ripemd160
 * among them.
 */
record Combination(String alg, String mode, String ivgen, String ivgenHash, String hash) {
  static final String PASS = "extra-ciphers pass";

  static final List<String> ALGS = List.of("twofish-128", "twofish-192", "twofish-256",
      "serpent-128", "serpent-192", "serpent-256", "cast5-128");
  static final List<String> MODES = List.of("xts", "cbc", "ecb", "ctr");
  static final List<String> IVGENS = List.of("plain", "plain64", "essiv");

  /** Every accepted combination, the PBKDF2 hash alternating between ripemd160 and sha256. */
  static List<Combination> all() {
    List<Combination> out = new ArrayList<>();
    for (String alg : ALGS) {
      for (String mode : MODES) {
        if ((alg.endsWith("-192") && !mode.equals("xts"))
            || (alg.startsWith("cast5") && mode.equals("xts"))) {
          continue;
        }
        for (String ivgen : IVGENS) {
          String ivHash = !ivgen.equals("essiv") ? null
              : alg.startsWith("cast5") ? "md5" : "sha256";
          out.add(new Combination(alg, mode, ivgen, ivHash,
              out.size() % 2 == 0 ? "ripemd160" : "sha256"));
        }
      }
    }
    // ESSIV keyed by md5 (a 128-bit key) with the 16-byte-block ciphers too.
    out.add(new Combination("twofish-256", "cbc", "essiv", "md5", "sha1"));
    out.add(new Combination("serpent-128", "xts", "essiv", "md5", "ripemd160"));
    return out;
  }

  /**
   * A few of {@link #all()} for the slow direction (qemu-img creates, taking seconds each to time
   * PBKDF2): every cipher and key size, every mode and IV generator, both ESSIV hashes and both
   * PBKDF2 hashes. The golden images add three more.
   */
  static List<Combination> sample() {
    return List.of(
        new Combination("twofish-128", "xts", "plain64", null, "ripemd160"),
        new Combination("twofish-192", "xts", "essiv", "sha256", "sha256"),
        new Combination("twofish-256", "ctr", "plain", null, "ripemd160"),
        new Combination("serpent-128", "ecb", "plain64", null, "sha256"),
        new Combination("serpent-192", "xts", "plain", null, "ripemd160"),
        new Combination("serpent-256", "cbc", "essiv", "md5", "sha256"),
        new Combination("cast5-128", "cbc", "essiv", "md5", "ripemd160"));
  }

  /** Our creation options; PBKDF2 at the 1000-iteration floor keeps the tests quick. */
  EncryptionOptions options() {
    return EncryptionOptions.builder(KeySecret.of(PASS.toCharArray())).cipherAlg(alg)
        .cipherMode(mode).ivgenAlg(ivgen).ivgenHashAlg(ivgenHash).hashAlg(hash)
        .forceIterations(1000).build();
  }

  /** qemu-img's {@code -o} value, the secret being object {@code sec0}. */
  String qemuOptions() {
    return "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.cipher-alg=" + alg
        + ",encrypt.cipher-mode=" + mode + ",encrypt.ivgen-alg=" + ivgen
        + (ivgenHash == null ? "" : ",encrypt.ivgen-hash-alg=" + ivgenHash)
        + ",encrypt.hash-alg=" + hash + ",encrypt.iter-time=10";
  }

  /** The LUKS header's cipher-mode field, as qemu-img writes it. */
  String luksMode() {
    return mode + "-" + (ivgen.equals("essiv") ? "essiv:" + ivgenHash : ivgen);
  }

  @Override
  public String toString() {
    return alg + "-" + luksMode() + " " + hash;
  }
}
