package io.github.qcow2nio.examples;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options and operands of one command, parsed the way qemu-img takes them: {@code --output=FMT}
 * or {@code --output FMT}, {@code -f FMT}, flags, and file names. {@code --} ends the options.
 *
 * @param output "human" or "json"
 * @param format the format named with -f, or null
 */
public record CommandLine(String output, String format, Set<String> flags,
    Map<String, String> values, List<String> operands) {

  /** The flag {@code -U} (or {@code --force-share}) records, whichever spelling was given. */
  public static final String FORCE_SHARE = "-U";

  /** What is wrong with a command line; Main prints it with the usage and exits 1. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code args}; {@code knownFlags} are the long options without a value the command
   * accepts (such as "--backing-chain").
   */
  public static CommandLine parse(List<String> args, Set<String> knownFlags)
      throws UsageException {
    return parse(args, knownFlags, Set.of());
  }

  /** As {@link #parse(List, Set)}; {@code valued} are long options that take a value. */
  public static CommandLine parse(List<String> args, Set<String> knownFlags, Set<String> valued)
      throws UsageException {
    String output = "human";
    String format = null;
    Set<String> flags = new LinkedHashSet<>();
    Map<String, String> values = new LinkedHashMap<>();
    List<String> operands = new ArrayList<>();
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      // "-" and "-:TYPE" are operands: the rest of a disk, in the partition command.
      if (!options || !a.startsWith("-") || a.equals("-") || a.startsWith("-:")) {
        operands.add(a);
      } else if (a.equals("--")) {
        options = false;
      } else if (a.startsWith("--output=")) {
        output = a.substring("--output=".length());
      } else if (a.equals("--output")) {
        output = value(args, ++i, a);
      } else if (a.equals("-f")) {
        format = value(args, ++i, a);
      } else if (a.equals("-U") || a.equals("--force-share")) {
        // As qemu-img: open read-only, sharing every permission with the program that holds
        // the image (a running VM), instead of failing on its locks.
        flags.add(FORCE_SHARE);
      } else if (a.contains("=") && valued.contains(a.substring(0, a.indexOf('=')))) {
        values.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else if (valued.contains(a)) {
        values.put(a, value(args, ++i, a));
      } else if (knownFlags.contains(a)) {
        flags.add(a);
      } else {
        throw new UsageException("unknown option '" + a + "'");
      }
    }
    if (!output.equals("human") && !output.equals("json")) {
      throw new UsageException("--output must be 'human' or 'json', not '" + output + "'");
    }
    if (format != null && !format.equals("qcow2") && !format.equals("raw")) {
      throw new UsageException("unsupported format '" + format + "' (qcow2 and raw are)");
    }
    return new CommandLine(output, format, Set.copyOf(flags), Map.copyOf(values),
        List.copyOf(operands));
  }

  public boolean json() {
    return output.equals("json");
  }

  public boolean has(String flag) {
    return flags.contains(flag);
  }

  /** {@code -U}: open images as {@code qemu-img -U} does, whoever holds them. */
  public boolean forceShare() {
    return flags.contains(FORCE_SHARE);
  }

  /**
   * The byte count given with {@code option}, or {@code otherwise}. Counts take qemu-img's
   * suffixes: k, M, G, T, P, E (powers of 1024), and may be fractional ("1.5G").
   */
  public long size(String option, long otherwise) throws UsageException {
    String v = values.get(option);
    if (v == null) {
      return otherwise;
    }
    return parseSize(option, v);
  }

  /** {@code v} as a byte count with qemu-img's suffixes; {@code what} names it in errors. */
  public static long parseSize(String option, String v) throws UsageException {
    String digits = v;
    int shift = 0;
    if (!v.isEmpty()) {
      int unit = "bkmgtpe".indexOf(Character.toLowerCase(v.charAt(v.length() - 1)));
      if (unit >= 0) {
        shift = unit == 0 ? 0 : 10 * unit;
        digits = v.substring(0, v.length() - 1);
      }
    }
    try {
      BigDecimal bytes = new BigDecimal(digits).multiply(BigDecimal.valueOf(2).pow(shift));
      if (bytes.signum() < 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw new UsageException(option + " must be a byte count from 0 to 2^63-1, not '" + v
            + "'");
      }
      return bytes.setScale(0, RoundingMode.DOWN).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException(option + " must be a byte count (suffixes k, M, G, T, P, E), not '"
          + v + "'");
    }
  }

  private static String value(List<String> args, int i, String option) throws UsageException {
    if (i >= args.size()) {
      throw new UsageException("option '" + option + "' needs a value");
    }
    return args.get(i);
  }
}
