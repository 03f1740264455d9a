package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.Qcow2Exception;
import java.util.Locale;

/**
 * The {@code encrypt.*} creation options of a LUKS image, as qemu-img names them, each null for
 * qemu-img 7.2's default: {@code aes-256}, {@code xts}, {@code plain64}, {@code sha256} (ESSIV's
 * hash), {@code sha256}, 2000 ms.
 *
 * @param iterTimeMs PBKDF2 time per key slot in milliseconds; 0 for the default
 * @param forceIterations when positive, this PBKDF2 count for the key slot and the master key
 *     digest instead of timing them (cryptsetup's {@code --pbkdf-force-iterations}; at least 1000)
 */
public record LuksParameters(String cipherAlg, String cipherMode, String ivgenAlg,
    String ivgenHashAlg, String hashAlg, long iterTimeMs, int forceIterations) {

  public static final long DEFAULT_ITER_TIME_MS = 2000;
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
    int aesKey = switch (alg) {
      case "aes-128" -> 16;
      case "aes-192" -> 24;
      case "aes-256" -> 32;
      default -> throw invalid("cipher-alg", alg);
    };
    String mode = lower(cipherMode, "xts");
    if (!mode.equals("xts") && !mode.equals("cbc")) {
      throw invalid("cipher-mode", mode);
    }
    String ivgen = lower(ivgenAlg, "plain64");
    String modeString;
    switch (ivgen) {
      case "plain", "plain64" -> modeString = mode + "-" + ivgen;
      case "essiv" -> {
        String h = lower(ivgenHashAlg, "sha256");
        if (!h.equals("sha256")) {
          throw new Qcow2Exception("Parameter 'ivgen-hash-alg' does not accept value '" + h
              + "' here: ESSIV needs a hash the size of an AES key (sha256)");
        }
        modeString = mode + "-essiv:" + h;
      }
      default -> throw invalid("ivgen-alg", ivgen);
    }
    if (mode.equals("cbc") && aesKey == 24) {
      // 24 * 4000 bytes of key material is not whole sectors; qemu-img 7.2 aborts on it.
      throw new Qcow2Exception("aes-192 with cbc is not supported: its LUKS key material is not "
          + "a whole number of sectors (qemu-img 7.2 aborts on it); use aes-128, aes-256 or xts");
    }
    String hashName = lower(hashAlg, "sha256");
    LuksHash hash = LuksHash.byName(hashName).orElseThrow(
        () -> invalid("hash-alg", hashName));
    long iterTime = iterTimeMs == 0 ? DEFAULT_ITER_TIME_MS : iterTimeMs;
    if (iterTime < 0) {
      throw new Qcow2Exception("encrypt.iter-time must be positive, not " + iterTimeMs);
    }
    if (forceIterations != 0 && forceIterations < MIN_ITERATIONS) {
      throw new Qcow2Exception("forced PBKDF2 iterations " + forceIterations + " are below the "
          + "minimum of " + MIN_ITERATIONS);
    }
    int keyBytes = mode.equals("xts") ? 2 * aesKey : aesKey;
    CipherSpec spec = CipherSpec.parse("aes", modeString, keyBytes, "new LUKS header");
    return new Resolved(spec, modeString, hash, iterTime, forceIterations);
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
