package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * qemu-img's {@code -o key=value,...} text as convert and measure read it ({@code ,,} is a
 * comma), into an ordered map: later keys replace earlier ones.
 */
final class QemuOptions {
  private QemuOptions() {}

  /** Splits {@code -o} text, {@code key=value,key=value} (",," is a comma), into a map. */
  static void addKeyValues(String text, Map<String, String> into)
      throws CommandLine.UsageException {
    StringBuilder part = new StringBuilder();
    List<String> parts = new ArrayList<>();
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
    for (String p : parts) {
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
}
