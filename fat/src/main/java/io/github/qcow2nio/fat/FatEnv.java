package io.github.qcow2nio.fat;

import java.util.Map;
import java.util.Set;

/** The env map of {@code newFileSystem}: only {@code accessMode} (readOnly / readWrite). */
record FatEnv(Boolean readWrite) {
  static final Set<String> KEYS = Set.of("accessMode");

  /** {@code readWrite} null means "as the file allows". */
  static FatEnv parse(Map<String, ?> env) {
    if (env == null || env.isEmpty()) {
      return new FatEnv(null);
    }
    for (String k : env.keySet()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown env key '" + k + "'; a FAT file system takes "
            + KEYS);
      }
    }
    Object mode = env.get("accessMode");
    if (mode == null) {
      return new FatEnv(null);
    }
    return switch (mode.toString()) {
      case "readOnly" -> new FatEnv(false);
      case "readWrite" -> new FatEnv(true);
      default -> throw new IllegalArgumentException(
          "accessMode is readOnly or readWrite, got '" + mode + "'");
    };
  }
}
