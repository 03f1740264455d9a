package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * qemu-img's option lists, {@code key=value,...} ({@code ,,} is a comma): {@code -o} as convert
 * and measure read it, into an ordered map where later keys replace earlier ones, and the split
 * that create's options and {@code --image-opts} share.
 */
final class QemuOptions {
  private QemuOptions() {}

  /** Splits {@code -o} text, {@code key=value,key=value} (",," is a comma), into a map. */
  static void addKeyValues(String text, Map<String, String> into)
      throws CommandLine.UsageException {
    for (String p : split(text)) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new CommandLine.UsageException("Invalid parameter '" + p + "'");
      }
      into.put(p.substring(0, eq), p.substring(eq + 1));
    }
  }

  /** Every {@code -o} list in {@code lists}, in order, into one map. */
  static Map<String, String> keyValues(List<String> lists) throws CommandLine.UsageException {
    Map<String, String> into = new LinkedHashMap<>();
    for (String list : lists) {
      addKeyValues(list, into);
    }
    return into;
  }

  /**
   * The parts of a qemu option list between its commas, ",," being a comma inside a part. Empty
   * parts are kept (each caller judges them as qemu-img does); "" is one empty part.
   */
  static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ',' && i + 1 < text.length() && text.charAt(i + 1) == ',') {
        part.append(',');
        i++;
      } else if (c == ',') {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    return parts;
  }
}
