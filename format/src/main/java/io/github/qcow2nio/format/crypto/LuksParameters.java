package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code encrypt.*} creation options of a LUKS image, as qemu-img names them, each null for
 * qemu-img 7.2's default: {@code aes-256}, {@code xts}, {@code plain64}, {@code sha256} (ESSIV's
 * hash), {@code sha256}, 2000 ms. Twofish, serpent, cast5 and ripemd160 need a provider
 * module ({@code qcow2-extra-ciphers}); without it they are refused with an
 * {@link UnsupportedImageException} naming it.
 *
 * @param iterTimeMs PBKDF2 time per key slot in milliseconds; 0 for the default
 * @param forceIterations when positive, this PBKDF2 count for the key slot and the master key
 *     digest instead of timing them (cryptsetup's {@code --pbkdf-force-iterations}; at least 1000)
 */
public record LuksParameters(String cipherAlg, String cipherMode, String ivgenAlg,
    String ivgenHashAlg, String hashAlg, long iterTimeMs, int forceIterations) {

  public static final long DEFAULT_ITER_TIME_MS = 2000;
  /** The cipher-alg values qemu-img 7.2 takes for LUKS; all but aes need a provider module. */
  private static final Set<String> CIPHER_ALGS = Set.of("aes-128", "aes-192", "aes-256",
      "twofish-128", "twofish-192", "twofish-256", "serpent-128", "serpent-192", "serpent-256",
      "cast5-128");
  private static final Map<String, String> QEMU_FAMILY_NAMES =
      Map.of("aes", "AES", "twofish", "Twofish", "serpent", "Serpent", "cast5", "CAST5");
  private static final Set<String> MODES = Set.of("xts", "cbc", "ecb", "ctr");
  /** QEMU's floor for both iteration counts. */
  public static final int MIN_ITERATIONS = 1000;

  /** What the options mean, checked as qemu-img 7.2 checks them. */
  record Resolved(CipherSpec cipher, String cipherMode, LuksHash hash, long iterTimeMs,
      int forceIterations) {}

  /** Checks the options as qemu-img does before it looks for the secret. */
  public void check() throws Qcow2Exception {
    resolve();
  }

  Resolved resolve() throws Qcow2Exception {
    String alg = lower(cipherAlg, "aes-256");
    if (!CIPHER_ALGS.contains(alg)) {
      throw invalid("cipher-alg", alg);
    }
    int dash = alg.lastIndexOf('-');
    String family = alg.substring(0, dash);
    int key = Integer.parseInt(alg.substring(dash + 1)) / 8;
    String mode = lower(cipherMode, "xts");
    if (!MODES.contains(mode)) {
      throw invalid("cipher-mode", mode);
    }
    String ivgen = lower(ivgenAlg, "plain64");
    LuksCipher cipher = Algorithms.cipher(family, "new LUKS header");
    String modeString;
    switch (ivgen) {
      case "plain", "plain64" -> modeString = mode + "-" + ivgen;
      case "essiv" -> {
        String h = lower(ivgenHashAlg, "sha256");
        LuksHash essiv = hash("ivgen-hash-alg", h);
        if (!cipher.isKeyLength(essiv.length())) {
          // ESSIV keys the payload's cipher family with the digest; qemu-img's words.
          throw new Qcow2Exception(family.equals("cast5")
              ? "Cipher " + alg + " not supported with essiv"
              : "No " + QEMU_FAMILY_NAMES.get(family) + " cipher with key size " + essiv.length()
                  + " available");
        }
        modeString = mode + "-essiv:" + h;
      }
      default -> throw invalid("ivgen-alg", ivgen);
    }
    if (mode.equals("xts") && cipher.blockSize() != 16) {
      throw new Qcow2Exception("Unsupported cipher mode xts");
    }
    if (!mode.equals("xts") && key == 24) {
      // 24 * 4000 bytes of key material is not whole sectors; qemu-img 7.2 aborts on it.
      throw new Qcow2Exception(alg + " with " + mode + " is not supported: its LUKS key "
          + "material is not a whole number of sectors (qemu-img 7.2 aborts on it); use a "
          + "128- or 256-bit key, or xts");
    }
    LuksHash hash = hash("hash-alg", lower(hashAlg, "sha256"));
    long iterTime = iterTimeMs == 0 ? DEFAULT_ITER_TIME_MS : iterTimeMs;
    if (iterTime < 0) {
      throw new Qcow2Exception("encrypt.iter-time must be positive, not " + iterTimeMs);
    }
    if (forceIterations != 0 && forceIterations < MIN_ITERATIONS) {
      throw new Qcow2Exception("forced PBKDF2 iterations " + forceIterations + " are below the "
          + "minimum of " + MIN_ITERATIONS);
    }
    int keyBytes = mode.equals("xts") ? 2 * key : key;
    CipherSpec spec = CipherSpec.parse(family, modeString, keyBytes, "new LUKS header");
    return new Resolved(spec, modeString, hash, iterTime, forceIterations);
  }

  /** A hash qemu-img names, built in or from a provider module. */
  private static LuksHash hash(String option, String name) throws Qcow2Exception {
    Optional<LuksHash> h = LuksHash.byName(name);
    if (h.isPresent()) {
      return h.get();
    }
    if (Algorithms.EXTRA_HASHES.contains(name)) {
      throw new UnsupportedImageException(Algorithms.missingHash("LUKS hash", name));
    }
    throw invalid(option, name);
  }

  private static String lower(String v, String fallback) {
    return v == null ? fallback : v.toLowerCase(Locale.ROOT);
  }

  /** qemu-img's words (it names the option without its {@code encrypt.} prefix). */
  private static Qcow2Exception invalid(String option, String value) {
    return new Qcow2Exception("Parameter '" + option + "' does not accept value '" + value
        + "'");
  }
}
