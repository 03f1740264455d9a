package io.github.qcow2nio.bench;

import java.util.Locale;

/**
 * One line of the table, already formatted: the figures are kept as text because rows differ in
 * kind (times, a ratio to a JVM floor, heap sizes, a pass/fail).
 *
 * @param workload what was measured
 * @param ours our figure
 * @param reference the reference's figure, naming the reference
 * @param ratio ours over the reference as the row's target states it
 * @param target what the issue asks for
 * @param verdict "yes", "no", or why the row was not measured
 */
record Row(String workload, String ours, String reference, String ratio, String target,
    String verdict) {

  private static final double NANOS_PER_MS = 1e6;

  /**
   * A speed row: both sides timed on the same work; the ratio is the reference's time over ours,
   * so above 1 means we are faster.
   */
  static Row speed(String workload, String referenceName, long oursNanos, long refNanos,
      long bytes, double minRatio) {
    double ratio = (double) refNanos / oursNanos;
    return new Row(workload, time(oursNanos, bytes), referenceName + ": " + time(refNanos, bytes),
        format("%.2f", ratio), format("≥ %.1f", minRatio), ratio >= minRatio ? "yes" : "no");
  }

  /** A row that could not be measured here, saying why. */
  static Row notMeasured(String workload, String target, String why) {
    return new Row(workload, "-", "-", "-", target, "not measured: " + why);
  }

  static String time(long nanos, long bytes) {
    String ms = millis(nanos);
    if (bytes <= 0) {
      return ms;
    }
    double mibPerSecond = bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    return ms + format(" (%.0f MiB/s)", mibPerSecond);
  }

  static String millis(long nanos) {
    return format("%.1f ms", nanos / NANOS_PER_MS);
  }

  static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  /** The row as a Markdown table line. */
  String markdown() {
    return "| " + workload + " | " + ours + " | " + reference + " | " + ratio + " | " + target
        + " | " + verdict + " |";
  }

  static String markdownHeader() {
    return "| workload | qcow2-nio | reference | ratio | target | met |\n"
        + "|---|---|---|---|---|---|";
  }
}
