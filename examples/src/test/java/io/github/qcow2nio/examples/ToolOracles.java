package io.github.qcow2nio.examples;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What mdir and debugfs say about a directory, in the shape the tool's {@code ls -l} prints:
 * name to "TYPE SIZE TIME" (TYPE d or -, SIZE omitted for directories, TIME yyyy-MM-dd HH:mm),
 * and the tool's own lines parsed the same way.
 */
final class ToolOracles {
  private static final Pattern LS_LINE = Pattern.compile(
      "(\\S{10}) +(\\d+) (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d) (.*)");
  private static final Pattern DEBUGFS_LINE = Pattern.compile(
      "\\s*(\\d+)\\s+(\\d+)\\s+\\(\\d+\\)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+) +(\\d{1,2}-\\w{3}-\\d{4}) "
      + "(\\d\\d:\\d\\d) (.*)");
  private static final Pattern MDIR_REST = Pattern.compile(
      "\\s*(<DIR>|\\d+)\\s+(\\d{4}-\\d\\d-\\d\\d)\\s+(\\d+):(\\d\\d)\\s*(?: (.*))?");

  private ToolOracles() {}

  /** The tool's {@code ls -l} lines, FAT-style: type, size (files only), time. */
  static Map<String, String> lsForFat(String out) {
    Map<String, String> m = new TreeMap<>();
    for (String line : out.lines().toList()) {
      Matcher x = LS_LINE.matcher(line);
      if (!x.matches()) {
        throw new AssertionError("not an ls -l line: '" + line + "'");
      }
      boolean dir = x.group(1).charAt(0) == 'd';
      m.put(x.group(4), (dir ? "d" : "- " + x.group(2)) + " " + x.group(3));
    }
    return m;
  }

  /** mdir's listing of {@code dir} in the same shape ("." and ".." left out). */
  static Map<String, String> mdir(Path image, String dir) {
    Map<String, String> m = new TreeMap<>();
    for (String line : HostTools.ok("mdir", "-i", image.toString(), "::" + dir).lines()
        .toList()) {
      if (line.length() < 13 || line.startsWith(" ") || line.startsWith("Directory for")) {
        continue;
      }
      Matcher x = MDIR_REST.matcher(line.substring(12));
      if (!x.matches()) {
        continue;
      }
      String base = line.substring(0, 8).strip();
      String ext = line.substring(9, 12).strip();
      String name = x.group(5) != null && !x.group(5).isBlank() ? x.group(5).strip()
          : ext.isEmpty() ? base : base + "." + ext;
      if (name.equals(".") || name.equals("..")) {
        continue;
      }
      boolean isDir = x.group(1).equals("<DIR>");
      String time = x.group(2) + " " + String.format("%02d", Integer.parseInt(x.group(3))) + ":"
          + x.group(4);
      m.put(name, (isDir ? "d" : "- " + x.group(1)) + " " + time);
    }
    return m;
  }

  /** The tool's {@code ls -l} lines whole: name to "MODE SIZE TIME[ -> TARGET]". */
  static Map<String, String> lsWhole(String out) {
    Map<String, String> m = new TreeMap<>();
    for (String line : out.lines().toList()) {
      Matcher x = LS_LINE.matcher(line);
      if (!x.matches()) {
        throw new AssertionError("not an ls -l line: '" + line + "'");
      }
      String name = x.group(4);
      String target = "";
      if (x.group(1).startsWith("l")) {
        int arrow = name.indexOf(" -> ");
        target = name.substring(arrow);
        name = name.substring(0, arrow);
      }
      m.put(name, x.group(1) + " " + x.group(2) + " " + x.group(3) + target);
    }
    return m;
  }

  /**
   * debugfs's {@code ls -l DIR} in the same shape; symbolic links get their target from
   * debugfs's {@code stat}.
   */
  static Map<String, String> debugfs(Path image, String dir) {
    Map<String, String> m = new TreeMap<>();
    DateTimeFormatter in = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ENGLISH);
    for (String line : HostTools.ok("debugfs", "-R", "ls -l " + dir, image.toString()).lines()
        .toList()) {
      Matcher x = DEBUGFS_LINE.matcher(line);
      if (!x.matches() || x.group(8).equals(".") || x.group(8).equals("..")) {
        continue;
      }
      int mode = Integer.parseInt(x.group(2), 8);
      String name = x.group(8);
      String mtime = LocalDate.parse(x.group(6), in) + " " + x.group(7);
      String target = "";
      if ((mode & 0170000) == 0120000) {
        String path = (dir.endsWith("/") ? dir : dir + "/") + name;
        Matcher t = Pattern.compile("Fast link dest: \"(.*)\"").matcher(
            HostTools.ok("debugfs", "-R", "stat " + path, image.toString()));
        target = t.find() ? " -> " + t.group(1) : " -> ?";
      }
      m.put(name, FileMode.unix(mode, null) + " " + x.group(5) + " " + mtime + target);
    }
    return m;
  }

  /** C's strcmp order: by UTF-8 bytes. */
  static int byBytes(String x, String y) {
    return java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        y.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
