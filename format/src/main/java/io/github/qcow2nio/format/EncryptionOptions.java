package io.github.qcow2nio.format;

import io.github.qcow2nio.format.crypto.LuksParameters;
import io.github.qcow2nio.format.error.Qcow2Exception;

/**
 * The {@code encrypt.*} options of {@code qemu-img create -f qcow2}: a LUKS-encrypted image
 * (crypt_method 2). Every field but the secret may be left null (0 for the numbers), which means
 * qemu-img 7.2's default: {@code aes-256}, {@code xts}, {@code plain64}, {@code sha256} for ESSIV,
 * {@code sha256}, 2000 ms.
 *
 * @param format {@code "luks"} (null means luks; legacy {@code "aes"} images cannot be created)
 * @param keySecret the passphrase of key slot 0 ({@code encrypt.key-secret}); required
 * @param cipherAlg {@code aes-128}, {@code aes-192} or {@code aes-256}; with the
 *     qcow2-extra-ciphers module on the class path also {@code twofish-128}, {@code twofish-192},
 *     {@code twofish-256}, {@code serpent-128}, {@code serpent-192}, {@code serpent-256} and
 *     {@code cast5-128} (without it they are refused with an UnsupportedImageException naming it)
 * @param cipherMode {@code xts}, {@code cbc}, {@code ecb} or {@code ctr} (a 192-bit key: xts only)
 * @param ivgenAlg {@code plain}, {@code plain64} or {@code essiv}
 * @param ivgenHashAlg ESSIV's hash, whose digest keys the same cipher: {@code sha256} or
 *     {@code md5}
 * @param hashAlg PBKDF2 and anti-forensic splitter hash: {@code md5}, {@code sha1},
 *     {@code sha224}, {@code sha256}, {@code sha384}, {@code sha512}, or {@code ripemd160} with
 *     the qcow2-extra-ciphers module
 * @param iterTimeMs {@code encrypt.iter-time}: CPU milliseconds of PBKDF2 per key slot, measured
 *     on this machine as qemu-img measures it; 0 for 2000
 * @param forceIterations when positive (at least 1000), this PBKDF2 iteration count for the key
 *     slot and the master key digest instead of timing them, as cryptsetup's
 *     {@code --pbkdf-force-iterations}: reproducible and fast, for tests; weak against guessing
 */
public record EncryptionOptions(String format, KeySecret keySecret, String cipherAlg,
    String cipherMode, String ivgenAlg, String ivgenHashAlg, String hashAlg, long iterTimeMs,
    int forceIterations) {

  /** qemu-img's defaults with {@code secret} as the passphrase. */
  public static EncryptionOptions luks(KeySecret secret) {
    return builder(secret).build();
  }

  public static Builder builder(KeySecret secret) {
    return new Builder(secret);
  }

  public Builder toBuilder() {
    return new Builder(keySecret).format(format).cipherAlg(cipherAlg).cipherMode(cipherMode)
        .ivgenAlg(ivgenAlg).ivgenHashAlg(ivgenHashAlg).hashAlg(hashAlg).iterTimeMs(iterTimeMs)
        .forceIterations(forceIterations);
  }

  /**
   * Checks the cipher, mode, IV generator, hashes and counts as qemu-img checks them, before it
   * looks at the secret (the format and the secret are checked when the image is created).
   *
   * @throws Qcow2Exception with qemu-img's words for a value it does not accept
   */
  public void checkParameters() throws Qcow2Exception {
    parameters().check();
  }

  LuksParameters parameters() {
    return new LuksParameters(cipherAlg, cipherMode, ivgenAlg, ivgenHashAlg, hashAlg, iterTimeMs,
        forceIterations);
  }

  @Override
  public String toString() {
    // The record's own toString would be fine (KeySecret hides itself); spelled out to stay so.
    return "EncryptionOptions[format=" + (format == null ? "luks" : format) + ", cipherAlg="
        + cipherAlg + ", cipherMode=" + cipherMode + ", ivgenAlg=" + ivgenAlg + ", ivgenHashAlg="
        + ivgenHashAlg + ", hashAlg=" + hashAlg + ", iterTimeMs=" + iterTimeMs
        + ", forceIterations=" + forceIterations + ", keySecret=hidden]";
  }

  /** One setter per {@code encrypt.*} option; nothing is checked until the image is created. */
  public static final class Builder {
    private String format;
    private KeySecret keySecret;
    private String cipherAlg;
    private String cipherMode;
    private String ivgenAlg;
    private String ivgenHashAlg;
    private String hashAlg;
    private long iterTimeMs;
    private int forceIterations;

    private Builder(KeySecret secret) {
      this.keySecret = secret;
    }

    /** {@code encrypt.format}: luks. */
    public Builder format(String value) {
      format = value;
      return this;
    }

    /** {@code encrypt.key-secret}. */
    public Builder keySecret(KeySecret value) {
      keySecret = value;
      return this;
    }

    /** {@code encrypt.cipher-alg}. */
    public Builder cipherAlg(String value) {
      cipherAlg = value;
      return this;
    }

    /** {@code encrypt.cipher-mode}. */
    public Builder cipherMode(String value) {
      cipherMode = value;
      return this;
    }

    /** {@code encrypt.ivgen-alg}. */
    public Builder ivgenAlg(String value) {
      ivgenAlg = value;
      return this;
    }

    /** {@code encrypt.ivgen-hash-alg}. */
    public Builder ivgenHashAlg(String value) {
      ivgenHashAlg = value;
      return this;
    }

    /** {@code encrypt.hash-alg}. */
    public Builder hashAlg(String value) {
      hashAlg = value;
      return this;
    }

    /** {@code encrypt.iter-time} in milliseconds. */
    public Builder iterTimeMs(long value) {
      iterTimeMs = value;
      return this;
    }

    /** A fixed PBKDF2 count instead of timing (see the record). */
    public Builder forceIterations(int value) {
      forceIterations = value;
      return this;
    }

    public EncryptionOptions build() {
      return new EncryptionOptions(format, keySecret, cipherAlg, cipherMode, ivgenAlg,
          ivgenHashAlg, hashAlg, iterTimeMs, forceIterations);
    }
  }
}
