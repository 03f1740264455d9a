package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options and operands of one command, parsed the way qemu-img takes them: {@code --output=FMT}
 * or {@code --output FMT}, {@code -f FMT}, flags, and file names. {@code --} ends the options.
 *
 * @param output "human" or "json"
 * @param format the format named with -f, or null
 */
public record CommandLine(String output, String format, Set<String> flags, List<String> operands) {

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
    String output = "human";
    String format = null;
    Set<String> flags = new LinkedHashSet<>();
    List<String> operands = new ArrayList<>();
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!options || !a.startsWith("-") || a.equals("-")) {
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
        // Accepted for qemu-img compatibility: we open images read-only and take no locks.
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
    return new CommandLine(output, format, Set.copyOf(flags), List.copyOf(operands));
  }

  public boolean json() {
    return output.equals("json");
  }

  public boolean has(String flag) {
    return flags.contains(flag);
  }

  private static String value(List<String> args, int i, String option) throws UsageException {
    if (i >= args.size()) {
      throw new UsageException("option '" + option + "' needs a value");
    }
    return args.get(i);
  }
}
