package io.github.qcow2nio.format;

import io.github.qcow2nio.format.crypto.ImageEncryption;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.util.Arrays;

/**
 * Unlocks an encrypted image's data cipher with the open's key secret, after {@code HeaderChecks}
 * has accepted the header: the LUKS header in the area the full-disk-encryption extension points
 * at, or the legacy AES key. The secret's bytes are wiped before this returns.
 */
final class EncryptionOpen {
  private EncryptionOpen() {}

  /** The image's cipher, or null when it is not encrypted. */
  static ImageEncryption open(HostFile file, long fileSize, Header h, HeaderExtensions ext,
      OpenOptions options, String name) throws IOException {
    if (h.cryptMethod() == Header.CRYPT_NONE) {
      return null;
    }
    if (options.keySecret() == null) {
      throw new EncryptionKeyException(name + ": the image is encrypted ("
          + (h.cryptMethod() == Header.CRYPT_LUKS ? "LUKS" : "AES")
          + "): give its passphrase with the env key 'keySecret' or "
          + "OpenOptions.builder().keySecret(...) "
          + "(qemu-img: Parameter 'encrypt.key-secret' is required for cipher)");
    }
    byte[] secret;
    try {
      secret = secretBytes(options.keySecret());
    } catch (EncryptionKeyException e) {
      // Named, as every refusal here is: in a chain, which layer's secret failed matters.
      throw new EncryptionKeyException(name + ": " + e.getMessage());
    }
    try {
      if (h.cryptMethod() == Header.CRYPT_AES) {
        return ImageEncryption.legacyAes(secret);
      }
      CryptoHeaderPointer area = ext.crypto().orElseThrow();
      return ImageEncryption.luks(new StructReader(file, fileSize), area.offset(), area.length(),
          secret, name);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  static byte[] secretBytes(KeySecret secret) throws EncryptionKeyException {
    try {
      return secret.bytes();
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The messages name types and states only, never the secret.
      throw new EncryptionKeyException("key secret: " + e.getMessage());
    }
  }
}
