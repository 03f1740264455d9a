package io.github.qcow2nio.examples;

import java.math.BigInteger;

/**
 * Byte counts as qemu-img reads them: a decimal or {@code 0x} hexadecimal number, optionally
 * with a fraction when a unit follows, and a unit {@code b} (bytes), {@code k}, {@code M},
 * {@code G}, {@code T}, {@code P} or {@code E} (powers of 1024, either case). Leading blanks and
 * a {@code +} pass; anything else (a sign, an exponent, trailing text) is refused. Observed:
 * "1.5G" and "0x100" are fine, "1.5" (a fraction of a byte) and "1e3" are not, a fraction keeps
 * whole bytes only, a unit on a hex number is accepted with a warning.
 */
final class QemuSize {
  private static final String UNITS = "bkmgtpe";
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** The number and whether it was hexadecimal with a unit (qemu-img warns then). */
  record Parsed(BigInteger bytes, boolean hexWithUnit) {}

  private QemuSize() {}

  /** {@code text} as an unsigned 64-bit count, or null when qemu-img would not read it. */
  static Parsed parse(String text) {
    String s = text.stripLeading();
    if (s.startsWith("+")) {
      s = s.substring(1);
    }
    boolean hex = s.length() > 2 && s.charAt(0) == '0'
        && Character.toLowerCase(s.charAt(1)) == 'x';
    int i = hex ? 2 : 0;
    int digitsStart = i;
    while (i < s.length() && Character.digit(s.charAt(i), hex ? 16 : 10) >= 0) {
      i++;
    }
    if (i == digitsStart) {
      return null;
    }
    BigInteger whole = new BigInteger(s.substring(digitsStart, i), hex ? 16 : 10);
    String fraction = null;
    if (!hex && i < s.length() && s.charAt(i) == '.') {
      int f = ++i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      fraction = s.substring(f, i);
    }
    int unit = 0;
    if (i < s.length()) {
      unit = UNITS.indexOf(Character.toLowerCase(s.charAt(i)));
      if (unit < 0) {
        return null;
      }
      i++;
      if (i != s.length()) {
        return null;
      }
    }
    if (hex && s.charAt(s.length() - 1) == '.') {
      return null;
    }
    if (fraction != null && unit == 0) {
      return null; // a fraction needs a unit larger than a byte
    }
    BigInteger multiplier = BigInteger.ONE.shiftLeft(10 * unit);
    BigInteger bytes = whole.multiply(multiplier);
    if (fraction != null && !fraction.isEmpty()) {
      // As a double, as qemu-img computes it: "1.3k" is 1331 bytes.
      double part = Double.parseDouble("0." + fraction) * multiplier.doubleValue();
      bytes = bytes.add(BigInteger.valueOf((long) part));
    }
    if (bytes.compareTo(U64_MAX) > 0) {
      return new Parsed(U64_MAX.add(BigInteger.ONE), false);
    }
    return new Parsed(bytes, hex && unit > 0);
  }

  /**
   * A size operand (create's and resize's), 0 to 2^63-1, with qemu-img's errors: the suffix
   * hint for what is not a number, the range for what is too large.
   */
  static long imageSize(String text, java.io.PrintStream err) throws ToolError {
    Parsed p = parse(text);
    if (p == null) {
      throw ToolError.of(
          "Invalid image size specified. You may use k, M, G, T, P or E suffixes for",
          "kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
    }
    if (p.bytes().bitLength() > 63) {
      throw ToolError.of("Invalid image size specified. Must be between 0 and "
          + Long.MAX_VALUE + ".");
    }
    warnHex(text, p, err);
    return p.bytes().longValue();
  }

  /**
   * An option's size value ({@code -o size=}, {@code cluster_size=}, resize's size), as
   * qemu-img's option parser reads it: up to 2^64-1, and its two-line complaint otherwise.
   * Returns the count as an unsigned long.
   */
  static long optionSize(String prefix, String name, String text, java.io.PrintStream err)
      throws ToolError {
    Parsed p = parse(text);
    if (p == null || p.bytes().bitLength() > 64) {
      throw ToolError.withHint(prefix + "Parameter '" + name
          + "' expects a non-negative number below 2^64",
          "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
          + "and exabytes, respectively.\n");
    }
    warnHex(text, p, err);
    return p.bytes().longValue();
  }

  private static void warnHex(String text, Parsed p, java.io.PrintStream err) {
    if (p.hexWithUnit()) {
      err.println("qcow2: warning: Using a multiplier suffix on hex numbers is deprecated: "
          + text);
    }
  }
}
