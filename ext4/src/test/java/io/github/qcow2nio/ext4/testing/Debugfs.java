package io.github.qcow2nio.ext4.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** debugfs as the oracle: many requests in one run, and parsers of what it prints. */
public final class Debugfs {
  private static final Pattern LS = Pattern.compile(
      "^\\s*(\\d+)\\s+(\\d+)\\s+\\((\\d+)\\)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\S+\\s+\\S+\\s(.*)$");

  private Debugfs() {}

  /** One {@code ls -l} line: inode, mode (octal, with type), uid, gid, size, name. */
  public record Listed(long ino, int mode, long uid, long gid, long size, String name) {}

  /** What {@code stat} says that {@code ls -l} does not. */
  public record Stat(long ino, int links, String mtime, String ctime, String fastLink,
      boolean extents, int flags) {}

  /** Runs {@code commands} in one debugfs (read-only) and returns each command's output. */
  public static Map<String, String> batch(Path image, List<String> commands) throws IOException {
    Path cmds = Files.createTempFile("debugfs", ".cmds");
    try {
      Files.write(cmds, commands, StandardCharsets.UTF_8);
      String out = Tools.run(List.of("debugfs", "-f", cmds.toString(), image.toString()));
      Map<String, String> result = new LinkedHashMap<>();
      String current = null;
      StringBuilder sb = new StringBuilder();
      for (String line : out.split("\n", -1)) {
        if (line.startsWith("debugfs: ")) {
          if (current != null) {
            result.put(current, sb.toString());
          }
          current = line.substring("debugfs: ".length());
          sb.setLength(0);
        } else if (current != null) {
          sb.append(line).append('\n');
        }
      }
      if (current != null) {
        result.put(current, sb.toString());
      }
      return result;
    } finally {
      Files.deleteIfExists(cmds);
    }
  }

  public static String one(Path image, String command) throws IOException {
    return Tools.run(List.of("debugfs", "-R", command, image.toString()));
  }

  public static List<Listed> parseLs(String out) {
    List<Listed> list = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = LS.matcher(line);
      if (m.matches()) {
        String name = unescape(m.group(7));
        if (!name.equals(".") && !name.equals("..")) {
          list.add(new Listed(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2), 8),
              Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
              name));
        }
      }
    }
    return list;
  }

  /** debugfs prints bytes outside ASCII as "\\xNN"; names are UTF-8. */
  static String unescape(String name) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < name.length(); i++) {
      if (name.startsWith("\\x", i) && i + 4 <= name.length()) {
        out.write(Integer.parseInt(name.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        out.writeBytes(String.valueOf(name.charAt(i)).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static Stat parseStat(String out) {
    long ino = Long.parseLong(find(out, "Inode:\\s+(\\d+)"));
    int links = Integer.parseInt(find(out, "Links:\\s+(\\d+)"));
    String fast = null;
    Matcher m = Pattern.compile("Fast link dest: \"(.*)\"").matcher(out);
    if (m.find()) {
      fast = m.group(1);
    }
    int flags = (int) Long.parseLong(find(out, "Flags:\\s+0x([0-9a-f]+)"), 16);
    return new Stat(ino, links, find(out, "mtime:\\s+(0x[0-9a-f]+(?::[0-9a-f]+)?)"),
        find(out, "ctime:\\s+(0x[0-9a-f]+(?::[0-9a-f]+)?)"), fast, out.contains("EXTENTS:"),
        flags);
  }

  private static String find(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalArgumentException("no " + regex + " in debugfs output:\n" + out);
    }
    return m.group(1);
  }

  /** The deepest level {@code ex} shows for a file: 0 for extents in the inode itself. */
  public static int extentDepth(Path image, String path) throws IOException {
    String out = one(image, "ex " + path);
    Matcher m = Pattern.compile("^\\s*\\d+/\\s*(\\d+)", Pattern.MULTILINE).matcher(out);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Names and values {@code ea_list} prints for a file. */
  public static String eaList(Path image, String path) throws IOException {
    return one(image, "ea_list " + path);
  }
}
