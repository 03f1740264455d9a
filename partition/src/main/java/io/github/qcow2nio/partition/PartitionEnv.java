package io.github.qcow2nio.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The env map of a partition file system, strings or typed values: {@code accessMode} (readOnly,
 * readWrite), {@code sectorSize} (512, 1024, 2048, 4096; absent: detected), and to write a table
 * on a disk that has none: {@code create} (gpt, mbr), {@code partitions} (a list of
 * {@link PartitionSpec}) and {@code size} (bytes of a disk file that does not exist yet).
 */
record PartitionEnv(AccessMode accessMode, int sectorSize, String create,
    List<PartitionSpec> partitions, long size) {
  enum AccessMode {
    DEFAULT, READ_ONLY, READ_WRITE
  }

  static final Set<String> KEYS = Set.of("accessMode", "sectorSize", "create", "partitions",
      "size");

  /** A request to create a table that is surely ours: only our keys, create=gpt or mbr. */
  static boolean asksForCreation(Map<String, ?> env) {
    if (env == null || !KEYS.containsAll(env.keySet())) {
      return false;
    }
    Object create = env.get("create");
    return create != null && Set.of("gpt", "mbr").contains(
        String.valueOf(create).toLowerCase(Locale.ROOT));
  }

  static PartitionEnv parse(Map<String, ?> env) {
    AccessMode mode = AccessMode.DEFAULT;
    int sectorSize = 0;
    String create = null;
    List<PartitionSpec> partitions = List.of();
    long size = 0;
    if (env == null) {
      return new PartitionEnv(mode, sectorSize, create, partitions, size);
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
          long s = number("sectorSize", v);
          if (s < 512 || s > 4096 || (s & (s - 1)) != 0) {
            throw new IllegalArgumentException(
                "sectorSize must be 512, 1024, 2048 or 4096, not " + v);
          }
          sectorSize = (int) s;
        }
        case "create" -> {
          create = String.valueOf(v).toLowerCase(Locale.ROOT);
          if (!create.equals("gpt") && !create.equals("mbr")) {
            throw new IllegalArgumentException("create must be gpt or mbr, not " + v);
          }
        }
        case "partitions" -> partitions = specs(v);
        case "size" -> {
          size = number("size", v);
          if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, not " + v);
          }
        }
        default -> throw new IllegalArgumentException("unknown env key '" + e.getKey()
            + "' for a partition file system; valid keys: accessMode, sectorSize, create, "
            + "partitions, size");
      }
    }
    if (create == null && (!partitions.isEmpty() || size != 0)) {
      throw new IllegalArgumentException("partitions and size go with create=gpt or mbr");
    }
    if (create != null && partitions.isEmpty()) {
      throw new IllegalArgumentException("create=" + create
          + " needs partitions: a List of PartitionSpec");
    }
    return new PartitionEnv(mode, sectorSize, create, partitions, size);
  }

  private static List<PartitionSpec> specs(Object v) {
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("partitions must be a non-empty List of PartitionSpec");
    }
    List<PartitionSpec> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof PartitionSpec s)) {
        throw new IllegalArgumentException("partitions must hold PartitionSpecs, not " + o);
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** A number, or a string of digits with an optional K, M, G or T (powers of 1024). */
  private static long number(String key, Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    String s = String.valueOf(v).trim().toUpperCase(Locale.ROOT);
    int shift = 0;
    if (!s.isEmpty() && "KMGT".indexOf(s.charAt(s.length() - 1)) >= 0) {
      shift = 10 * ("KMGT".indexOf(s.charAt(s.length() - 1)) + 1);
      s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Long.parseLong(s);
      if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException(key + " out of range: " + v);
      }
      return n << shift;
    } catch (NumberFormatException x) {
      throw new IllegalArgumentException(key + " must be a number, not " + v, x);
    }
  }
}
