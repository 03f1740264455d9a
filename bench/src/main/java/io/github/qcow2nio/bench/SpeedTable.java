package io.github.qcow2nio.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Issue 13's speed table: builds the reference images with qemu-img, measures every row on this
 * machine in one run with the page cache warm, and prints the table in Markdown with the machine
 * it ran on.
 *
 * <pre>
 * java -jar bench/target/qcow2-bench.jar [SCALE_MIB] [--rounds N] [--dir DIR] [--jar QCOW2_JAR]
 * </pre>
 *
 * SCALE_MIB is the size of the "1 GiB" images (default 1024, the figures README quotes; 64 makes
 * a quick run). Without --dir the images go to a temporary directory deleted at the end.
 */
public final class SpeedTable {
  private static final int DEFAULT_ROUNDS = 3;
  private static final int FULL_JMH_MILLIS = 1000;
  private static final int QUICK_JMH_MILLIS = 200;

  private SpeedTable() {}

  public static void main(String[] args) throws Exception {
    int scale = Settings.FULL_SCALE_MIB;
    int rounds = DEFAULT_ROUNDS;
    Path dir = null;
    Path jar = Settings.findToolJar();
    Set<String> only = Set.of();
    boolean reuse = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--jar" -> jar = Path.of(args[++i]).toAbsolutePath();
        case "--only" -> only = Set.of(args[++i].split(","));
        case "--reuse" -> reuse = true;
        default -> scale = Integer.parseInt(args[i]);
      }
    }
    boolean scratch = dir == null;
    Path work = scratch ? Files.createTempDirectory("qcow2-bench") : Files.createDirectories(dir);
    int jmhMillis = scale >= Settings.FULL_SCALE_MIB ? FULL_JMH_MILLIS : QUICK_JMH_MILLIS;
    try {
      run(new Settings(scale, rounds, work, jar, jmhMillis), System.out, only, reuse && !scratch);
    } finally {
      if (scratch) {
        deleteTree(work);
      }
    }
  }

  /** Measures every row and prints the table; returns the rows (the smoke test reads them). */
  static List<Row> run(Settings s, PrintStream out) throws Exception {
    return run(s, out, Set.of(), false);
  }

  /**
   * @param only the groups to measure (read, write, convert, commit, tool, memory, gc; decompress is the two
   *     compressed-source convert rows alone); empty for all:
   *     a before/after comparison of one fast path times only its rows, alternating builds
   * @param reuse keep the images a previous run left in the directory (same scale), so that
   *     alternating runs of two builds do not spend their time making them again
   */
  static List<Row> run(Settings s, PrintStream out, Set<String> only, boolean reuse)
      throws Exception {
    out.println("## Machine");
    out.println();
    Machine.describe(out);
    out.printf("scale: %d MiB (\"1 GiB\" images), %d rounds per side, best counts%n%n",
        s.scaleMiB(), s.rounds());
    out.flush();

    ReferenceImages images = ReferenceImages.build(s, reuse);
    images.warm();
    // Each group's rows are printed as soon as they are measured: a run that fails late still
    // shows what it measured.
    out.println(Row.markdownHeader());
    List<Row> rows = new ArrayList<>();
    if (only.isEmpty() || only.contains("read")) {
      print(out, rows, ReadRows.measure(s, images));
    }
    if (only.isEmpty() || only.contains("write")) {
      print(out, rows, WriteRows.measure(s));
    }
    if (only.isEmpty() || only.contains("convert")) {
      print(out, rows, ConvertRows.measure(s, images));
    }
    if (!only.contains("convert") && only.contains("decompress")) {
      print(out, rows, ConvertRows.compressedSources(s, images));
    }
    if (only.isEmpty() || only.contains("commit")) {
      print(out, rows, CommitRows.measure(s, images));
    }
    if (only.isEmpty() || only.contains("tool")) {
      print(out, rows, ToolRows.measure(s, images));
    }
    if (only.isEmpty() || only.contains("memory")) {
      print(out, rows, MemoryRows.measure(s, images));
    }
    if (only.isEmpty() || only.contains("gc")) {
      print(out, rows, GcRows.measure(s));
    }
    out.println();
    out.println("load after the run: " + Machine.load());
    out.flush();
    return rows;
  }

  private static void print(PrintStream out, List<Row> all, List<Row> group) {
    for (Row r : group) {
      out.println(r.markdown());
    }
    out.flush();
    all.addAll(group);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
