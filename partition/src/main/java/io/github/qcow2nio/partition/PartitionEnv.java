package io.github.qcow2nio.partition;

import java.util.Map;
import java.util.Set;

/**
 * The env map of a partition file system: {@code accessMode} (readOnly, readWrite) and
 * {@code sectorSize} (512, 1024, 2048, 4096; absent: detected). Strings or typed values.
 */
record PartitionEnv(AccessMode accessMode, int sectorSize) {
  enum AccessMode {
    DEFAULT, READ_ONLY, READ_WRITE
  }

  static final Set<String> KEYS = Set.of("accessMode", "sectorSize");

  static PartitionEnv parse(Map<String, ?> env) {
    AccessMode mode = AccessMode.DEFAULT;
    int sectorSize = 0;
    if (env == null) {
      return new PartitionEnv(mode, sectorSize);
    }
    for (Map.Entry<String, ?> e : env.entrySet()) {
      Object v = e.getValue();
      switch (e.getKey()) {
        case "accessMode" -> mode = switch (String.valueOf(v)) {
          case "readOnly" -> AccessMode.READ_ONLY;
          case "readWrite" -> AccessMode.READ_WRITE;
          default -> throw new IllegalArgumentException(
              "accessMode must be readOnly or readWrite, not " + v);
        };
        case "sectorSize" -> {
          long s;
          try {
            s = v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v).trim());
          } catch (NumberFormatException x) {
            throw new IllegalArgumentException("sectorSize must be a number, not " + v, x);
          }
          if (s < 512 || s > 4096 || (s & (s - 1)) != 0) {
            throw new IllegalArgumentException(
                "sectorSize must be 512, 1024, 2048 or 4096, not " + v);
          }
          sectorSize = (int) s;
        }
        default -> throw new IllegalArgumentException("unknown env key '" + e.getKey()
            + "' for a partition file system; valid keys: accessMode, sectorSize");
      }
    }
    return new PartitionEnv(mode, sectorSize);
  }
}
