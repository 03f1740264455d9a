package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.BackingKeys;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The key secret of an image a command opens, as qemu-img resolves it: the {@code --object}
 * secrets are loaded first (their errors come before anything else), then the image's header is
 * judged against {@code encrypt.format}, and an encrypted image must name a secret with
 * {@code encrypt.key-secret} that {@code --object} defines. A plain image needs none, and
 * {@code info} resolves none (qemu-img info reads an encrypted image without its key).
 */
final class ImageKeys {
  static final String KEY_REQUIRED = "Parameter 'encrypt.key-secret' is required for cipher";
  static final String BAD_PASSWORD = "Invalid password, cannot unlock any keyslot";
  static final String NO_SECRET = "No secret with id '";
  static final String BACKING = "Could not open backing file: ";

  private ImageKeys() {}

  /** The secret that unlocks {@code image}, or null when it is not encrypted. */
  static KeySecret keySecret(ImageOptsOption.Image image, ObjectOption objects)
      throws ToolError {
    return resolve(image, objects, true);
  }

  /**
   * The secrets of {@code image}'s backing layers, each layer's own as its
   * {@code backing.[backing.]encrypt.key-secret} names it, and none for a layer named by none:
   * qemu-img gives a backing layer no other (an encrypted one is then refused, naming it). An
   * id no {@code --object} defines is refused only when its layer is encrypted, as qemu-img
   * asks for a layer's secret only then.
   */
  static BackingKeys backingKeys(ImageOptsOption.Image image, ObjectOption objects)
      throws ToolError {
    SecretObjects secrets = objects == null ? SecretObjects.none() : objects.secrets();
    List<KeySecret> keys = new ArrayList<>();
    for (String id : image.backingKeySecretIds()) {
      KeySecret k = id == null ? null : secrets.find(id).orElse(null);
      if (id != null && k == null) {
        // Asked for only when the layer turns out encrypted; the core reports it, naming the
        // layer, and unlockReason puts it in qemu-img's words.
        k = KeySecret.from(() -> {
          throw new IllegalStateException(NO_SECRET + id + "'");
        });
      }
      keys.add(k);
    }
    return BackingKeys.exactly(keys);
  }

  /** Loads the secrets and judges {@code encrypt.format}, resolving no key (info). */
  static void check(ImageOptsOption.Image image, ObjectOption objects) throws ToolError {
    resolve(image, objects, false);
  }

  private static KeySecret resolve(ImageOptsOption.Image image, ObjectOption objects,
      boolean needsKey) throws ToolError {
    SecretObjects secrets = objects == null ? SecretObjects.none() : objects.secrets();
    String method = encryption(image);
    if (method == null) {
      return null;
    }
    String wanted = image.encryptFormat();
    if (wanted != null && !method.equals(wanted)) {
      throw ToolError.of("Could not open '" + image.operand() + "': " + (method.isEmpty()
          ? "No encryption in image header, but options specified format '" + wanted + "'"
          : "Header reported '" + method + "' encryption format but options specify '"
              + wanted + "'"));
    }
    if (method.isEmpty() || !needsKey) {
      return null;
    }
    if (image.keySecretId() == null) {
      throw ToolError.of("Could not open '" + image.operand() + "': " + KEY_REQUIRED);
    }
    return secrets.keySecret(image.keySecretId(), image.operand());
  }

  /**
   * "luks", "aes", "" for a plain qcow2 image, or null when the file is not a qcow2 image this
   * can read (the command's own open then says why, in its words).
   */
  private static String encryption(ImageOptsOption.Image image) {
    if ("raw".equals(image.format())) {
      return null;
    }
    try {
      Path path = Path.of(image.filename());
      if (!ImageInspector.probe(path).equals("qcow2")) {
        return null;
      }
      // Shared, as a reader beside whatever holds the image: the command's open judges locks.
      ImageMetadata m = ImageMetadata.read(new PathLocation(path), true);
      return m.encryption() == null ? "" : m.encryption().format();
    } catch (IOException | InvalidPathException e) {
      return null;
    }
  }

  /** An open or operation on an image, which may throw the core's refusal to unlock it. */
  @FunctionalInterface
  interface Opening<T> {
    T run() throws IOException, ToolError;
  }

  /**
   * Runs {@code opening}, turning the core's refusal to unlock {@code image} or a layer of its
   * backing chain into qemu-img's words for the operand as given ("Could not open
   * 'driver=qcow2,...': Could not open backing file: Invalid password, ...").
   */
  static <T> T unlocking(ImageOptsOption.Image image, Opening<T> opening)
      throws IOException, ToolError {
    try {
      return opening.run();
    } catch (IOException e) {
      // Only the refusal of this image or its chain, not of another one.
      String why = unlockReason(e, path(image.filename()));
      if (why != null) {
        throw ToolError.of("Could not open '" + image.operand() + "': " + why);
      }
      throw e;
    }
  }

  private static Path path(String filename) {
    try {
      return Path.of(filename);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /**
   * The core's refusal to unlock the image at {@code top} or a layer of its backing chain in
   * qemu-img's words, one "Could not open backing file: " per layer down to the one refused;
   * null when {@code e} is no such refusal (or refuses a file outside that chain).
   */
  static String unlockReason(Throwable e, Path top) {
    Throwable t = e;
    while (t != null && !(t instanceof EncryptionKeyException)) {
      t = t.getCause();
    }
    if (t == null || t.getMessage() == null || top == null) {
      return null;
    }
    String m = t.getMessage();
    String why = m.contains(BAD_PASSWORD) ? BAD_PASSWORD
        : m.contains(KEY_REQUIRED) ? KEY_REQUIRED
        : m.contains(NO_SECRET) ? m.substring(m.indexOf(NO_SECRET)) : null;
    int depth = depth(m, top);
    return why == null || depth < 0 ? null : BACKING.repeat(depth) + why;
  }

  /**
   * How deep below {@code top} lies the layer the core's message {@code m} names ("FILE: ..."),
   * following the backing file names of the chain's headers; -1 when none of them.
   */
  private static int depth(String m, Path top) {
    int colon = m.indexOf(": ");
    Path named = colon < 0 ? null : path(m.substring(0, colon));
    Path at = top;
    for (int depth = 0; at != null && depth <= 64; depth++) {
      if (m.startsWith(at + ": ") || same(named, at)) {
        return depth;
      }
      try {
        String backing = ImageMetadata.read(new PathLocation(at), true).extensions()
            .backingFile().orElse(null);
        at = backing == null ? null : at.resolveSibling(backing.startsWith("file:")
            ? backing.substring("file:".length()) : backing);
      } catch (IOException | RuntimeException x) {
        return -1;
      }
    }
    return -1;
  }

  private static boolean same(Path a, Path b) {
    try {
      return a != null && java.nio.file.Files.exists(a) && java.nio.file.Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }
}
