package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.AmendOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code amend}'s {@code -o} lists, read as qemu-img 7.2 reads them for qcow2: the lists joined
 * in order (a later value wins), each key checked against the amend options, values typed, with
 * qemu-img's messages; a creation-only key gets qemu-img's hint when every key given is at least
 * a creation option.
 */
final class AmendOptionList {
  private static final List<String> AMEND = List.of("backing_file", "backing_fmt", "compat",
      "data_file", "data_file_raw", "encrypt.iter-time", "encrypt.keyslot",
      "encrypt.new-secret", "encrypt.old-secret", "encrypt.state", "lazy_refcounts",
      "refcount_bits", "size");
  private static final List<String> CREATE_ONLY = List.of("cluster_size", "preallocation",
      "extended_l2", "compression_type", "encryption", "encrypt.format", "encrypt.key-secret",
      "encrypt.cipher-alg", "encrypt.cipher-mode", "encrypt.ivgen-alg", "encrypt.ivgen-hash-alg",
      "encrypt.hash-alg");

  /** qemu-img amend -o help for qcow2, as it prints it. */
  static final String HELP = """
      Amend options for 'qcow2':
        backing_file=<str>     - File name of a base image
        backing_fmt=<str>      - Image format of the base image
        compat=<str>           - Compatibility level (v2 [0.10] or v3 [1.1])
        data_file=<str>        - File name of an external data file
        data_file_raw=<bool (on/off)> - The external data file must stay valid as a raw image
        encrypt.iter-time=<num> - Time to spend in PBKDF in milliseconds
        encrypt.keyslot=<num>  - Select a single keyslot to modify explicitly
        encrypt.new-secret=<str> - New secret to set in the matching keyslots. Empty string to erase
        encrypt.old-secret=<str> - Select all keyslots that match this password
        encrypt.state=<str>    - Select new state of affected keyslots (active/inactive)
        lazy_refcounts=<bool (on/off)> - Postpone refcount updates
        refcount_bits=<num>    - Width of a reference count entry in bits
        size=<size>            - Virtual disk size
      """;

  private AmendOptionList() {}

  /** The key/value pairs of the lists, in order, ",," being a comma. */
  static Map<String, String> pairs(List<String> lists) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String list : lists) {
      StringBuilder part = new StringBuilder();
      for (int i = 0; i <= list.length(); i++) {
        char c = i < list.length() ? list.charAt(i) : ',';
        if (c == ',' && i + 1 < list.length() && list.charAt(i + 1) == ',') {
          part.append(',');
          i++;
        } else if (c == ',') {
          String p = part.toString();
          part.setLength(0);
          int eq = p.indexOf('=');
          String key = eq < 0 ? p : p.substring(0, eq);
          // A key given again moves to the end, as qemu's option list keeps the last one.
          out.remove(key);
          out.put(key, eq < 0 ? "on" : p.substring(eq + 1));
        } else {
          part.append(c);
        }
      }
    }
    return out;
  }

  /**
   * The options for the library; the {@code encrypt.*} ones are put in {@code encrypt} (their
   * numbers checked here, in order, as qemu-img's option parser checks them).
   */
  static AmendOptions parse(Path image, List<String> lists, PrintStream err,
      Map<String, String> encrypt)
      throws ToolError {
    Map<String, String> pairs = new LinkedHashMap<>();
    // Every key is checked first, in order: the first unknown one is the error.
    List<String> keys = new java.util.ArrayList<>();
    for (String list : lists) {
      keys.addAll(pairs(List.of(list)).keySet());
    }
    boolean allCreate = keys.stream().allMatch(k -> AMEND.contains(k) || CREATE_ONLY.contains(k));
    for (String k : keys) {
      if (!AMEND.contains(k)) {
        if (allCreate) {
          throw ToolError.withHint("Invalid parameter '" + k + "'",
              "This option is only supported for image creation\n");
        }
        throw ToolError.of("Invalid parameter '" + k + "'");
      }
    }
    pairs.putAll(pairs(lists));
    AmendOptions.Builder b = AmendOptions.builder(image);
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      switch (k) {
        case "compat" -> b.version(switch (v) {
          case "0.10", "v2" -> 2;
          case "1.1", "v3" -> 3;
          default -> throw ToolError.of("Unknown compatibility level " + v);
        });
        case "lazy_refcounts" -> b.lazyRefcounts(bool(k, v));
        case "data_file_raw" -> b.dataFileRaw(bool(k, v));
        case "refcount_bits" -> b.refcountBits(refcountBits(v));
        case "size" -> b.size(QemuSize.optionSize("", "size", v.equals("on") ? "" : v, err));
        case "backing_file" -> b.backingFile(v);
        case "backing_fmt" -> b.backingFormat(v);
        case "data_file" -> b.dataFile(v);
        default -> {
          if (k.equals("encrypt.keyslot") || k.equals("encrypt.iter-time")) {
            KeySlotOptions.checkNumber(k, v);
          }
          encrypt.put(k, v);
        }
      }
    }
    return b.build();
  }

  private static boolean bool(String key, String v) throws ToolError {
    return switch (v) {
      case "on", "yes", "true" -> true;
      case "off", "no", "false" -> false;
      default -> throw ToolError.of("Parameter '" + key + "' expects 'on' or 'off'");
    };
  }

  /** A number as qemu's option parser takes it; anything not a power of two up to 64 is 0. */
  private static int refcountBits(String v) throws ToolError {
    String t = v.trim();
    boolean negative = t.startsWith("-");
    String digits = negative ? t.substring(1) : t;
    if (digits.isEmpty()) {
      throw ToolError.of("Parameter 'refcount_bits' expects a number");
    }
    try {
      java.math.BigInteger n = digits.startsWith("0x") || digits.startsWith("0X")
          ? new java.math.BigInteger(digits.substring(2), 16)
          : new java.math.BigInteger(digits);
      if (negative || n.bitLength() > 7) {
        return 0;
      }
      return n.intValue();
    } catch (NumberFormatException ex) {
      throw ToolError.of("Parameter 'refcount_bits' expects a number");
    }
  }
}
