package io.github.qcow2nio.examples;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What the tool's own commands share from its first, hand-rolled command line: the usage error
 * they throw (reported as {@code qcow2: COMMAND: message} and the help hint) and their byte
 * counts. The command line itself is parsed by picocli ({@link Tool}).
 */
public final class CommandLine {
  private CommandLine() {}

  /** What is wrong with a command line; ToolErrors prints it, naming the command, and exits 1. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
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
}
