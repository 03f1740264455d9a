package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import java.util.Locale;
import java.util.Map;

/**
 * qemu-img's {@code -o} creation options for qcow2 ({@code compat}, {@code cluster_size},
 * {@code refcount_bits}, {@code extended_l2}, {@code compression_type}, {@code lazy_refcounts},
 * {@code backing_file}, {@code backing_fmt}, {@code data_file}, {@code data_file_raw},
 * {@code preallocation}, {@code size}) as {@link CreateOptions}.
 */
final class CreateOptionsText {
  private CreateOptionsText() {}

  static CreateOptions parse(Map<String, String> o, long size)
      throws CommandLine.UsageException {
    CreateOptions.Builder b = CreateOptions.builder(size);
    for (Map.Entry<String, String> e : o.entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "size" -> b.size(CommandLine.parseSize("size", v));
        case "compat" -> b.version(switch (v) {
          case "0.10", "v2" -> 2;
          case "1.1", "v3" -> 3;
          default -> throw new CommandLine.UsageException("Invalid parameter '" + v + "'");
        });
        case "cluster_size" -> b.clusterSize((int) Math.min(Integer.MAX_VALUE,
            CommandLine.parseSize("cluster_size", v)));
        case "refcount_bits" -> b.refcountBits(number(e.getKey(), v));
        case "extended_l2" -> b.extendedL2(bool(e.getKey(), v));
        case "lazy_refcounts" -> b.lazyRefcounts(bool(e.getKey(), v));
        case "compression_type" -> b.compressionType(switch (v) {
          case "zlib" -> 0;
          case "zstd" -> 1;
          default -> throw new CommandLine.UsageException("Invalid parameter '" + v + "'");
        });
        case "backing_file" -> b.backingFile(v);
        case "backing_fmt" -> b.backingFormat(v);
        case "data_file" -> b.dataFile(v);
        case "data_file_raw" -> b.dataFileRaw(bool(e.getKey(), v));
        case "preallocation" -> {
          try {
            b.preallocation(Preallocation.valueOf(v.toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException x) {
            throw new CommandLine.UsageException("Invalid parameter '" + v + "'");
          }
        }
        default -> throw new CommandLine.UsageException("Invalid parameter '" + e.getKey()
            + "'");
      }
    }
    return b.build();
  }

  private static boolean bool(String key, String v) throws CommandLine.UsageException {
    return switch (v) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new CommandLine.UsageException("Parameter '" + key
          + "' expects 'on' or 'off'");
    };
  }

  private static int number(String key, String v) throws CommandLine.UsageException {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new CommandLine.UsageException("Parameter '" + key + "' expects a number");
    }
  }
}
