package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --image-opts}: the image operand is an option list, as qemu-img takes it, instead of a
 * file name: {@code driver=qcow2,file.filename=vm.qcow2} ({@code ,,} is a comma in a value).
 * The keys a file on the host needs are understood: {@code driver} (qcow2 or raw; without it the
 * format is detected), {@code file.filename} (or {@code file}) and {@code file.driver=file}, and
 * for qcow2 {@code encrypt.key-secret=ID} (the {@code --object secret} that unlocks an encrypted
 * image), {@code encrypt.format=luks|aes} (what the header must say) and
 * {@code backing.encrypt.key-secret=ID}, {@code backing.backing.encrypt.key-secret=ID}, ... (the
 * secrets of the backing layers, each layer's own, as qemu-img takes them).
 */
final class ImageOptsOption {
  @Option(names = "--image-opts",
      description = "the image is given as options, driver=qcow2,file.filename=FILE, not a name")
  boolean imageOpts;

  /**
   * The image a command names: its file and its format (null: detect).
   *
   * @param operand the operand as given, for messages ("Could not open 'OPERAND': ...")
   * @param keySecretId {@code encrypt.key-secret}, or null
   * @param encryptFormat {@code encrypt.format}, or null
   * @param backingKeySecretIds {@code backing.encrypt.key-secret} (index 0),
   *     {@code backing.backing.encrypt.key-secret} (index 1), ...: the secrets of the backing
   *     layers by depth, null where none is named
   */
  record Image(String filename, String format, String operand, String keySecretId,
      String encryptFormat, List<String> backingKeySecretIds) {

    Image {
      backingKeySecretIds = backingKeySecretIds == null ? List.of()
          : Collections.unmodifiableList(new ArrayList<>(backingKeySecretIds));
    }

    Image(String filename, String format, String operand, String keySecretId,
        String encryptFormat) {
      this(filename, format, operand, keySecretId, encryptFormat, List.of());
    }

    /** A file named on the command line, with no options. */
    Image(String filename, String format) {
      this(filename, format, filename, null, null);
    }

    /**
     * Whether options name a backing layer's secret: qemu-img then names the image by the
     * JSON of its options, which it cannot resolve relative names against.
     */
    boolean hasBackingOptions() {
      return !backingKeySecretIds.isEmpty();
    }

    /**
     * The JSON name qemu-img gives an image whose options name backing layers' secrets: each
     * layer down to the deepest one named, with its file joined to the directory of the layer
     * above (as the chain's headers name them) and its secret, if named.
     */
    String jsonName() {
      StringBuilder json = new StringBuilder("json:");
      List<String> files = new ArrayList<>(List.of(filename));
      for (int depth = 1; depth <= backingKeySecretIds.size(); depth++) {
        files.add(backingName(files.get(depth - 1)));
      }
      for (int depth = 0; depth <= backingKeySecretIds.size(); depth++) {
        json.append('{');
        if (depth < backingKeySecretIds.size()) {
          json.append("\"backing\": ");
        }
      }
      for (int depth = backingKeySecretIds.size(); depth >= 0; depth--) {
        String id = depth == 0 ? keySecretId : backingKeySecretIds.get(depth - 1);
        if (depth < backingKeySecretIds.size()) {
          json.append(", ");
        }
        if (id != null) {
          json.append("\"encrypt.key-secret\": ").append(Json.quoted(id)).append(", ");
        }
        json.append("\"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\": ")
            .append(Json.quoted(files.get(depth) == null ? "" : files.get(depth))).append("}}");
      }
      return json.toString();
    }

    /** The backing file {@code file}'s header names, joined to its directory; null if none. */
    private static String backingName(String file) {
      if (file == null) {
        return null;
      }
      try {
        String name = io.github.qcow2nio.format.ImageMetadata.read(
            new io.github.qcow2nio.format.io.PathLocation(java.nio.file.Path.of(file)), true)
            .extensions().backingFile().orElse(null);
        if (name == null || name.startsWith("/")) {
          return name;
        }
        int slash = file.lastIndexOf('/');
        return slash < 0 ? name : file.substring(0, slash + 1) + name;
      } catch (java.io.IOException | RuntimeException e) {
        return null;
      }
    }

    /**
     * The name qemu-img shows for the image: a key secret makes it the JSON of the options
     * (the format's option is not part of it), as qemu-img info prints it.
     */
    String displayName() {
      if (keySecretId == null) {
        return filename;
      }
      return "json:{\"encrypt.key-secret\": " + Json.quoted(keySecretId)
          + ", \"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\": "
          + Json.quoted(filename) + "}}";
    }
  }

  /** {@code operand} as an image, with the format of {@code -f} unless options are given. */
  Image image(String operand, FormatOption f) throws ToolError, CommandLine.UsageException {
    return image(operand, imageOpts ? f.format : f.format());
  }

  /** As above, with the format as given with -f, which the command checks itself. */
  Image image(String operand, String format) throws ToolError {
    if (!imageOpts) {
      return new Image(operand, format);
    }
    if (format != null) {
      throw ToolError.of("--image-opts and --format are mutually exclusive");
    }
    Map<String, String> opts = parse(operand);
    String driver = opts.remove("driver");
    String file = opts.remove("file.filename");
    if (file == null) {
      file = opts.remove("file");
    }
    String fileDriver = opts.remove("file.driver");
    String which = driver == null ? "file" : driver;
    String keySecret = null;
    String encryptFormat = null;
    List<String> backingKeys = backingKeySecrets(opts);
    if ((driver == null || driver.equals("qcow2")) && file != null) {
      keySecret = opts.get("encrypt.key-secret");
      encryptFormat = opts.get("encrypt.format");
      if ((keySecret != null || encryptFormat != null) && (driver != null || qcow2(file))) {
        opts.remove("encrypt.key-secret");
        opts.remove("encrypt.format");
        which = "qcow2";
      } else if (keySecret != null || encryptFormat != null) {
        // A raw file probed: its keys are left for the refusal below, as qemu-img's.
        keySecret = null;
        encryptFormat = null;
        which = "raw";
      }
    }
    if (driver != null && !driver.equals("qcow2") && !driver.equals("raw")) {
      throw ToolError.of("Could not open '" + operand + "': Unknown driver '" + driver
          + "' (qcow2 and raw are supported)");
    }
    if (fileDriver != null && !fileDriver.equals("file")) {
      throw ToolError.of("Could not open '" + operand + "': Unknown protocol driver '"
          + fileDriver + "' (file is supported)");
    }
    if (!opts.isEmpty()) {
      throw ToolError.of("Could not open '" + operand + "': Block format '" + which
          + "' does not support the option '" + opts.keySet().iterator().next() + "'");
    }
    if (file == null) {
      throw ToolError.of("Could not open '" + operand + "': A block device must be specified "
          + "for \"file\"");
    }
    return new Image(file, driver, operand, keySecret, encryptFormat, backingKeys);
  }

  /**
   * Takes {@code backing.encrypt.key-secret}, {@code backing.backing.encrypt.key-secret}, ...
   * out of {@code opts}: the secret ids of the backing layers by depth (index 0: depth 1).
   */
  private static List<String> backingKeySecrets(Map<String, String> opts) {
    List<String> ids = new ArrayList<>();
    for (java.util.Iterator<Map.Entry<String, String>> i = opts.entrySet().iterator();
        i.hasNext(); ) {
      Map.Entry<String, String> e = i.next();
      String key = e.getKey();
      int depth = 0;
      while (key.startsWith("backing.")) {
        key = key.substring("backing.".length());
        depth++;
      }
      if (depth == 0 || !key.equals("encrypt.key-secret")) {
        continue;
      }
      while (ids.size() < depth) {
        ids.add(null);
      }
      ids.set(depth - 1, e.getValue());
      i.remove();
    }
    return ids;
  }

  /** Whether a probe would take {@code file} for qcow2 (a missing file fails later, on open). */
  private static boolean qcow2(String file) {
    try {
      return !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))
          || ImageInspector.probe(java.nio.file.Path.of(file)).equals("qcow2");
    } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
      return true;
    }
  }

  /** {@code key=value,key=value}, {@code ,,} standing for a comma. */
  static Map<String, String> parse(String text) throws ToolError {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String p : QemuOptions.split(text)) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw ToolError.of("Invalid option list: " + text);
      }
      opts.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return opts;
  }
}
