package io.github.qcow2nio.format;

import io.github.qcow2nio.format.crypto.LuksFormatter;
import io.github.qcow2nio.format.crypto.LuksParameters;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.ops.CreateImage;
import java.io.IOException;
import java.util.Arrays;

/**
 * {@code Qcow2Image.create}: plain images go straight to {@code CreateImage}; an encrypted one
 * first has its LUKS area made here, where the key secret's bytes may be read (and are wiped once
 * PBKDF2 has consumed them), and is opened afterwards with that secret unless the open options
 * bring their own.
 */
final class ImageCreation {
  private ImageCreation() {}

  static Qcow2Image run(ImageLocation location, CreateOptions o, OpenOptions open,
      boolean unsafe) throws IOException {
    EncryptionOptions e = o.encryption();
    if (e == null) {
      return CreateImage.run(location, o, open, unsafe);
    }
    String name = location.displayName();
    if (e.format() != null && !e.format().equalsIgnoreCase("luks")) {
      throw new Qcow2Exception(name + ": encrypt.format '" + e.format() + "' cannot be created "
          + "(only luks; legacy aes images are read-only)");
    }
    try {
      e.checkParameters();
    } catch (UnsupportedImageException x) {
      // A cipher whose provider module is missing: the caller can tell it from a bad option.
      throw new UnsupportedImageException(name + ": " + x.getMessage());
    } catch (Qcow2Exception x) {
      throw new Qcow2Exception(name + ": " + x.getMessage());
    }
    if (e.keySecret() == null) {
      throw new EncryptionKeyException(name
          + ": Parameter 'encrypt.key-secret' is required for cipher");
    }
    OpenOptions reopen = open.keySecret() != null ? open
        : open.toBuilder().keySecret(e.keySecret()).build();
    LuksParameters p = e.parameters();
    return CreateImage.run(location, o, reopen, unsafe, () -> {
      byte[] secret = EncryptionOpen.secretBytes(e.keySecret());
      try {
        return LuksFormatter.format(p, secret);
      } catch (Qcow2Exception x) {
        throw new Qcow2Exception(name + ": " + x.getMessage());
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    });
  }
}
