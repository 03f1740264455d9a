package io.github.qcow2nio.examples;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Byte counts in qemu-img's human style: "0 B", "468 KiB", "1.46 GiB".
 *
 * <p>qemu-img picks the largest binary unit that keeps the number below 1000 (so 1000 KiB is
 * already shown as 0.977 MiB) and prints it like C's {@code %0.3g}: three significant digits,
 * trailing zeros dropped. Matching it exactly lets our output be compared with qemu-img's line
 * by line.
 */
public final class SizeFormat {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private SizeFormat() {}

  /** {@code bytes} as qemu-img prints a size (an unsigned 64-bit count). */
  public static String human(long bytes) {
    double value = unsignedToDouble(bytes);
    // The unit index is floor(log2(value * 1024 / 1000) / 10): the 1024/1000 factor moves the
    // switch to the next unit down to 1000 of the smaller one.
    int unit = 0;
    double scaled = value / (1000.0 / 1024.0);
    if (scaled >= 1) {
      int log2 = Math.getExponent(scaled);
      unit = Math.min(log2 / 10, UNITS.length - 1);
    }
    double inUnit = value / (double) (1L << (10 * unit));
    return significant3(inUnit) + " " + UNITS[unit];
  }

  /** C's {@code %0.3g} for a non-negative finite value. */
  static String significant3(double v) {
    if (v == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 3) {
      BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
      return mantissa.toPlainString() + (exponent < 0 ? "e-" : "e+")
          + String.format("%02d", Math.abs(exponent));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }

  private static double unsignedToDouble(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }
}
