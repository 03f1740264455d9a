package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.KeySecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The target of {@code convert}, as qemu-img 7.2 takes it: a file name (with {@code -O}), or with
 * {@code -n --target-image-opts} an option list naming an existing image and the secret that
 * unlocks it; and the {@code -o encrypt.*} options of a new encrypted target.
 *
 * @param image the target as an image operand (its file, format and key secret id)
 * @param format "qcow2" or "raw"
 * @param keySecret the secret of an existing encrypted target ({@code -n}), or null
 */
record ConvertTarget(ImageOptsOption.Image image, String format, KeySecret keySecret) {

  String filename() {
    return image.filename();
  }

  /**
   * The target {@code operand} names. With {@code noCreate} an existing encrypted qcow2 target
   * needs its key, refused in qemu-img's words without it.
   */
  static ConvertTarget of(String operand, boolean imageOpts, boolean noCreate, String to,
      ObjectOption objects) throws ToolError {
    ImageOptsOption.Image image;
    String format = to;
    if (imageOpts) {
      ImageOptsOption opts = new ImageOptsOption();
      opts.imageOpts = true;
      image = opts.image(operand, (String) null);
      format = image.format() != null ? image.format() : probe(image.filename());
    } else {
      image = new ImageOptsOption.Image(operand, to);
    }
    KeySecret key = null;
    if (noCreate && format.equals("qcow2") && Files.isRegularFile(Path.of(image.filename()))) {
      key = ImageKeys.keySecret(image, objects);
    }
    return new ConvertTarget(image, format, key);
  }

  private static String probe(String file) {
    try {
      return ImageInspector.probe(Path.of(file));
    } catch (IOException | RuntimeException e) {
      // A missing target is the core's to report when it opens it.
      return "raw";
    }
  }

  /** Runs {@code opening}, the core's refusal to unlock the target in qemu-img's words. */
  <T> T unlocking(ImageKeys.Opening<T> opening) throws IOException, ToolError {
    return ImageKeys.unlocking(image, opening);
  }

  /**
   * Takes the {@code encrypt.*} entries out of the {@code -o} values; a non-number
   * {@code encrypt.iter-time} is refused at once, as qemu-img parses {@code -o}.
   */
  static Map<String, String> encryptOptions(Map<String, String> create) throws ToolError {
    Map<String, String> encrypt = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, String>> i = create.entrySet().iterator(); i.hasNext(); ) {
      Map.Entry<String, String> e = i.next();
      if (e.getKey().startsWith("encrypt.")) {
        encrypt.put(e.getKey(), e.getValue());
        i.remove();
      }
    }
    String iter = encrypt.get("encrypt.iter-time");
    if (iter != null) {
      try {
        long n = iter.startsWith("0x") || iter.startsWith("0X")
            ? Long.parseUnsignedLong(iter.substring(2), 16) : Long.parseUnsignedLong(iter);
        encrypt.put("encrypt.iter-time", Long.toUnsignedString(n));
      } catch (NumberFormatException x) {
        throw ToolError.of("Parameter 'encrypt.iter-time' expects a number");
      }
    }
    return encrypt;
  }

  /**
   * The new target's encryption, or null: judged as qemu-img judges it when it creates the
   * target, in its words ("FILE: error while converting qcow2: ..."). With {@code -c} nothing
   * is judged: the core refuses compression into an encrypted target once the source is open,
   * which qemu-img does before it looks at the encryption options.
   */
  static EncryptionOptions encryption(Map<String, String> encrypt, String file,
      boolean compressed, ObjectOption objects) throws ToolError {
    if (encrypt.isEmpty()) {
      return null;
    }
    String prefix = file + ": error while converting qcow2: ";
    if (!encrypt.containsKey("encrypt.format")) {
      throw ToolError.of(prefix + "Parameter 'encrypt.format' is missing");
    }
    SecretObjects secrets = objects.secrets();
    if (compressed) {
      return EncryptionOptions.builder(KeySecret.of(new byte[0])).build();
    }
    return CreateOptionList.encryption(encrypt, prefix, id -> secrets.find(id).orElse(null));
  }
}
