package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 ls [-l] [-R] IMAGE [N:]PATH}: the files in a directory inside a disk image, as
 * virt-ls lists them: names, one a line, sorted by their bytes (as {@code LC_ALL=C ls}); with
 * {@code -R} every file below PATH by its full path; with {@code -l} the mode, size,
 * modification time and name (and a symbolic link's target) of each.
 */
@Command(name = "ls", description = "the files in a directory, as virt-ls")
final class LsCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @picocli.CommandLine.Option(names = "-l", description = "mode, size, time and name")
  boolean longFormat;
  @picocli.CommandLine.Option(names = "-R", description = "every file below PATH")
  boolean recursive;
  @Parameters(paramLabel = "IMAGE [N:]PATH", arity = "0..*", hideParamSyntax = true)
  List<String> operands = new ArrayList<>();

  /** Deeper than any real tree; a hostile one whose loop hides from the file keys stops here. */
  private static final int MAX_DEPTH = 4096;

  private final DateTimeFormatter time;

  private final PrintStream out;

  LsCommand(ToolIo io, ZoneId zone) {
    this.out = io.out();
    this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone);
  }

  @Override
  public Integer call() throws IOException, CommandLine.UsageException {
    if (operands.size() != 2) {
      throw new CommandLine.UsageException("ls takes an image and [N:]PATH");
    }
    ImagePath where = ImagePath.parse(operands.get(1));
    try (DiskImage disk = DiskImage.open(operands.get(0), format.format(), false,
        references.policy())) {
      FileSystem fs = disk.fileSystem(where.partition());
      Path dir = fs.getPath(where.path());
      BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      List<Line> lines = new ArrayList<>();
      if (!a.isDirectory()) {
        lines.add(line(dir, a, where.path(), longFormat));
      } else {
        list(dir, recursive, longFormat, lines, new HashSet<>(), 0);
      }
      print(lines, longFormat, out);
    }
    return 0;
  }

  private void list(Path dir, boolean recursive, boolean longFormat, List<Line> lines,
      Set<Object> onPath, int depth) throws IOException {
    Object key = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
    if (depth > MAX_DEPTH || (key != null && !onPath.add(key))) {
      throw new IOException(dir + ": directory loop (a directory holds itself)");
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(children::add);
    }
    children.sort((x, y) -> compareBytes(name(x), name(y)));
    for (Path child : children) {
      BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      lines.add(line(child, a, recursive ? child.toString() : name(child), longFormat));
      if (recursive && a.isDirectory()) {
        list(child, true, longFormat, lines, onPath, depth + 1);
      }
    }
    if (key != null) {
      onPath.remove(key);
    }
  }

  /** One line: the name, or for -l its mode, size (aligned later) and the rest. */
  private record Line(String mode, String size, String rest) {}

  private Line line(Path p, BasicFileAttributes a, String shown, boolean longFormat)
      throws IOException {
    if (!longFormat) {
      return new Line("", "", shown);
    }
    String target = a.isSymbolicLink() ? " -> " + Files.readSymbolicLink(p) : "";
    return new Line(FileMode.of(p, a), Long.toString(a.size()),
        time.format(a.lastModifiedTime().toInstant()) + " " + shown + target);
  }

  private static void print(List<Line> lines, boolean longFormat, PrintStream out) {
    if (!longFormat) {
      lines.forEach(l -> out.println(l.rest()));
      return;
    }
    int width = 1;
    for (Line l : lines) {
      width = Math.max(width, l.size().length());
    }
    for (Line l : lines) {
      out.println(l.mode() + " " + " ".repeat(width - l.size().length()) + l.size() + " "
          + l.rest());
    }
  }

  private static String name(Path p) {
    Path n = p.getFileName();
    return n == null ? p.toString() : n.toString();
  }

  /** By UTF-8 bytes, as C's strcmp orders names. */
  private static int compareBytes(String x, String y) {
    byte[] a = x.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] b = y.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return java.util.Arrays.compareUnsigned(a, b);
  }
}
