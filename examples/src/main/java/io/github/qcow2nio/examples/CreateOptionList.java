package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.error.Qcow2Exception;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * qemu-img's {@code -o} creation options for qcow2 and raw, read as qemu-img reads them: each
 * {@code -o} a list {@code key=value,...} ({@code ,,} a comma; a key alone means "on"), later
 * values replacing earlier ones, each value checked by its type (sizes with suffixes, numbers in
 * C's bases, booleans on/off/yes/no/true/false/y/n), and printed as qemu-img's "Formatting" line
 * prints them: sizes and numbers as numbers, other values as given, the keys in qemu-img's order
 * with its defaults.
 */
final class CreateOptionList {
  /** The qcow2 keys in the order qemu-img prints them, with the defaults it prints. */
  private static final List<String> QCOW2 = List.of("encrypt.format", "encrypt.key-secret",
      "encrypt.cipher-alg", "encrypt.cipher-mode", "encrypt.ivgen-alg", "encrypt.ivgen-hash-alg",
      "encrypt.hash-alg", "encrypt.iter-time", "cluster_size", "extended_l2",
      "preallocation", "compression_type", "size", "compat", "backing_file", "backing_fmt",
      "data_file", "data_file_raw", "lazy_refcounts", "refcount_bits");
  private static final Map<String, String> QCOW2_DEFAULTS = Map.of("cluster_size", "65536",
      "extended_l2", "off", "compression_type", "zlib", "lazy_refcounts", "off",
      "refcount_bits", "16");
  private static final List<String> RAW = List.of("size", "preallocation");
  private static final List<String> SIZES = List.of("size", "cluster_size");
  private static final List<String> BOOLS = List.of("extended_l2", "lazy_refcounts",
      "data_file_raw");

  private final String format;
  private final Map<String, String> values = new LinkedHashMap<>();

  private CreateOptionList(String format) {
    this.format = format;
  }

  /** Whether {@code -o} text is a list qemu-img takes at all ("", ",a=1", "a=1," are not). */
  static void checkList(String text) throws ToolError {
    String unescaped = text.replace(",,", "");
    if (text.isEmpty() || text.startsWith(",") || unescaped.endsWith(",")) {
      throw ToolError.of("Invalid option list: " + text);
    }
  }

  /** Whether the -o lists ask for the option help ("help" or "?"). */
  static boolean wantsHelp(List<String> lists) {
    for (String l : lists) {
      for (String part : l.split(",")) {
        if (part.equals("help") || part.equals("?")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Reads the -o lists for {@code format}; errors name {@code file} as qemu-img's do. */
  static CreateOptionList parse(String format, List<String> lists, String file, PrintStream err)
      throws ToolError {
    CreateOptionList o = new CreateOptionList(format);
    List<String> known = format.equals("raw") ? RAW : QCOW2;
    for (String list : lists) {
      for (Map.Entry<String, String> e : split(list).entrySet()) {
        String key = e.getKey();
        if (!known.contains(key)) {
          throw ToolError.of(file + ": Invalid parameter '" + key + "'");
        }
        o.values.put(key, o.typed(key, e.getValue(), file, err));
      }
    }
    return o;
  }

  private static Map<String, String> split(String list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : QemuOptions.split(list)) {
      int eq = p.indexOf('=');
      // A key alone is "on", as in qemu-img.
      out.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "on" : p.substring(eq + 1));
    }
    return out;
  }

  private String typed(String key, String v, String file, PrintStream err) throws ToolError {
    if (SIZES.contains(key)) {
      // An explicit "on" from a key alone is no size either: qemu-img complains the same way.
      String text = v.equals("on") ? "" : v;
      return Long.toUnsignedString(QemuSize.optionSize(file + ": ", key, text, err));
    }
    if (key.equals("refcount_bits") || key.equals("encrypt.iter-time")) {
      return Long.toUnsignedString(number(key, v, file));
    }
    if (BOOLS.contains(key) && bool(v) == null) {
      throw ToolError.of(file + ": Parameter '" + key + "' expects 'on' or 'off'");
    }
    return v;
  }

  /** A number as C's strtoull with base 0 reads it: 0x hex, 0 octal, else decimal. */
  private static long number(String key, String v, String file) throws ToolError {
    try {
      String s = v.strip();
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return Long.parseUnsignedLong(s.substring(2), 16);
      }
      if (s.length() > 1 && s.startsWith("0")) {
        return Long.parseUnsignedLong(s.substring(1), 8);
      }
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      throw ToolError.of(file + ": Parameter '" + key + "' expects a number");
    }
  }

  private static Boolean bool(String v) {
    return switch (v) {
      case "on", "yes", "true", "y" -> Boolean.TRUE;
      case "off", "no", "false", "n" -> Boolean.FALSE;
      default -> null;
    };
  }

  String get(String key) {
    return values.get(key);
  }

  void put(String key, String value) {
    values.put(key, value);
  }

  /** The words after "fmt=FORMAT" in qemu-img's "Formatting" line. */
  String formattingLine(String file) {
    StringBuilder sb = new StringBuilder("Formatting '").append(file).append("', fmt=")
        .append(format);
    for (String key : format.equals("raw") ? RAW : QCOW2) {
      String v = values.getOrDefault(key, format.equals("raw") ? null : QCOW2_DEFAULTS.get(key));
      if (v != null) {
        sb.append(' ').append(key).append('=').append(v);
      }
    }
    return sb.toString();
  }

  /**
   * The preallocation mode, or an error (after the Formatting line, as qemu-img's driver
   * reports it).
   */
  Preallocation preallocation(String file) throws ToolError {
    String v = values.getOrDefault("preallocation", "off");
    try {
      return Preallocation.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ToolError.of(file + ": Parameter 'preallocation' does not accept value '" + v + "'");
    }
  }

  /**
   * The qcow2 options for the core, checked where qemu-img's driver checks them; {@code secrets}
   * giving the secret of an {@code encrypt.key-secret} id (null when
   * there is none) for {@code encrypt.format=luks}.
   */
  CreateOptions qcow2(long size, String file,
      java.util.function.Function<String, KeySecret> secrets) throws ToolError {
    CreateOptions.Builder b = CreateOptions.builder(size);
    b.encryption(encryption(file, secrets));
    b.clusterSize(clamp(Long.parseUnsignedLong(values.getOrDefault("cluster_size", "65536"))));
    b.refcountBits(clamp(Long.parseUnsignedLong(values.getOrDefault("refcount_bits", "16"))));
    String compat = values.getOrDefault("compat", "1.1");
    b.version(switch (compat) {
      case "0.10", "v2" -> 2;
      case "1.1", "v3" -> 3;
      default -> throw ToolError.of(file + ": Parameter 'version' does not accept value '"
          + compat + "'");
    });
    String compression = values.getOrDefault("compression_type", "zlib");
    b.compressionType(switch (compression) {
      case "zlib" -> 0;
      case "zstd" -> 1;
      default -> throw ToolError.of(file + ": Parameter 'compression-type' does not accept "
          + "value '" + compression + "'");
    });
    b.extendedL2(flag("extended_l2")).lazyRefcounts(flag("lazy_refcounts"))
        .dataFileRaw(flag("data_file_raw"));
    b.backingFile(values.get("backing_file")).backingFormat(values.get("backing_fmt"))
        .dataFile(values.get("data_file"));
    return b.preallocation(preallocation(file)).build();
  }

  /** The encrypt.* options for the core, or null without encrypt.format. */
  private EncryptionOptions encryption(String file,
      java.util.function.Function<String, KeySecret> secrets) throws ToolError {
    return encryption(values, file + ": ", secrets);
  }

  /**
   * The {@code encrypt.*} entries of {@code values} for the core, or null without
   * {@code encrypt.format}; refusals start with {@code prefix} ("FILE: " for create, "FILE:
   * error while converting qcow2: " for convert), as qemu-img words them.
   */
  static EncryptionOptions encryption(Map<String, String> values, String prefix,
      java.util.function.Function<String, KeySecret> secrets) throws ToolError {
    String format = values.get("encrypt.format");
    if (format == null) {
      return null;
    }
    String iter = values.get("encrypt.iter-time");
    EncryptionOptions.Builder e = EncryptionOptions.builder(null).format(format)
        .cipherAlg(values.get("encrypt.cipher-alg")).cipherMode(values.get("encrypt.cipher-mode"))
        .ivgenAlg(values.get("encrypt.ivgen-alg"))
        .ivgenHashAlg(values.get("encrypt.ivgen-hash-alg"))
        .hashAlg(values.get("encrypt.hash-alg"))
        .iterTimeMs(iter == null ? 0 : Long.parseUnsignedLong(iter));
    try {
      // qemu-img judges the values before it looks for the secret.
      e.build().checkParameters();
    } catch (Qcow2Exception x) {
      throw ToolError.of(prefix + x.getMessage());
    }
    String id = values.get("encrypt.key-secret");
    if (id == null) {
      throw ToolError.of(prefix + "Parameter 'encrypt.key-secret' is required for cipher");
    }
    KeySecret secret = secrets.apply(id);
    if (secret == null) {
      throw ToolError.of(prefix + "No secret with id '" + id + "'");
    }
    return e.keySecret(secret).build();
  }

  private boolean flag(String key) {
    String v = values.get(key);
    return v != null && bool(v);
  }

  /** Out-of-range counts become a value the core refuses with qemu-img's message. */
  private static int clamp(long v) {
    return v < 0 || v > Integer.MAX_VALUE ? 3 : (int) v;
  }

  /** {@code -o help}: the options this tool takes for {@code format}, as qemu-img lists them. */
  static String help(String format) {
    String list = format.equals("raw")
        ? "  preallocation=<str>    - Preallocation mode (allowed values: off, falloc, full)\n"
            + "  size=<size>            - Virtual disk size\n"
        : "  backing_file=<str>     - File name of a base image\n"
            + "  backing_fmt=<str>      - Image format of the base image\n"
            + "  cluster_size=<size>    - qcow2 cluster size\n"
            + "  compat=<str>           - Compatibility level (v2 [0.10] or v3 [1.1])\n"
            + "  compression_type=<str> - Compression method used for image cluster "
            + "compression\n"
            + "  data_file=<str>        - File name of an external data file\n"
            + "  data_file_raw=<bool (on/off)> - The external data file must stay valid as a "
            + "raw image\n"
            + "  extended_l2=<bool (on/off)> - Extended L2 tables\n"
            + "  lazy_refcounts=<bool (on/off)> - Postpone refcount updates\n"
            + "  preallocation=<str>    - Preallocation mode (allowed values: off, metadata, "
            + "falloc, full)\n"
            + "  refcount_bits=<num>    - Width of a reference count entry in bits\n"
            + "  size=<size>            - Virtual disk size\n";
    return "Supported " + format + " options:\n" + list
        + "\nThe protocol level may support further options.\n"
        + "Specify the target filename to include those options.\n";
  }
}
