package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CheckResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link CheckResult} as {@code qemu-img check} 7.2 prints it, human or JSON. */
public final class CheckReport {
  private CheckReport() {}

  /**
   * The human report: what a repair fixed, then the problems that remain (or none), the
   * cluster statistics and the image end offset.
   */
  public static String human(CheckResult r) {
    StringBuilder sb = new StringBuilder();
    if (r.repaired()) {
      sb.append("The following inconsistencies were found and repaired:\n\n    ")
          .append(r.leaksFixed()).append(" leaked clusters\n    ")
          .append(r.corruptionsFixed()).append(" corruptions\n\n")
          .append("Double checking the fixed image now...\n");
    }
    if (r.isClean()) {
      sb.append("No errors were found on the image.\n");
    } else {
      if (r.corruptions() != 0) {
        sb.append('\n').append(r.corruptions()).append(" errors were found on the image.\n")
            .append("Data may be corrupted, or further writes to the image may corrupt it.\n");
      }
      if (r.leaks() != 0) {
        sb.append('\n').append(r.leaks()).append(" leaked clusters were found on the image.\n")
            .append("This means waste of disk space, but no harm to data.\n");
      }
      if (r.checkErrors() != 0) {
        sb.append('\n').append(r.checkErrors())
            .append(" internal errors have occurred during the check.\n");
      }
    }
    if (r.totalClusters() != 0 && r.allocatedClusters() != 0) {
      sb.append(r.allocatedClusters()).append('/').append(r.totalClusters()).append(" = ")
          .append(percent(r.allocatedClusters(), r.totalClusters())).append("% allocated, ")
          .append(percent(r.fragmentedClusters(), r.allocatedClusters())).append("% fragmented, ")
          .append(percent(r.compressedClusters(), r.allocatedClusters()))
          .append("% compressed clusters\n");
    }
    if (r.imageEndOffset() != 0) {
      sb.append("Image end offset: ").append(r.imageEndOffset()).append('\n');
    }
    return sb.toString();
  }

  /**
   * The JSON report ({@code ImageCheck}): zero counts left out, members in the order qemu-img
   * 7.2 prints them (its dictionary's hash order).
   */
  public static String json(String filename, String format, CheckResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    optional(m, "image-end-offset", r.imageEndOffset());
    optional(m, "compressed-clusters", r.compressedClusters());
    optional(m, "total-clusters", r.totalClusters());
    optional(m, "corruptions", r.corruptions());
    optional(m, "corruptions-fixed", r.corruptionsFixed());
    m.put("check-errors", r.checkErrors());
    optional(m, "leaks", r.leaks());
    optional(m, "leaks-fixed", r.leaksFixed());
    optional(m, "allocated-clusters", r.allocatedClusters());
    m.put("filename", filename);
    m.put("format", format);
    optional(m, "fragmented-clusters", r.fragmentedClusters());
    return Json.pretty(m);
  }

  private static void optional(Map<String, Object> m, String key, long value) {
    if (value != 0) {
      m.put(key, value);
    }
  }

  /** C's {@code %0.2f} of {@code part * 100.0 / whole}: the exact double, rounded half-even. */
  static String percent(long part, long whole) {
    double v = part * 100.0 / whole;
    return new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }
}
