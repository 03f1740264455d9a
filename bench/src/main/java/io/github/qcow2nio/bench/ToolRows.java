package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.Qcow2Check;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The metadata rows (map, check) against the qemu-img process doing the same, and the
 * whole-process rows: {@code java -jar qcow2.jar info --output=json}, and the same through the
 * {@code qcow2} launcher, against the floor of any JVM program, one printing "hi".
 */
final class ToolRows {
  private static final double INFO_TARGET = 1.6;
  /** Process rows are short and noisy: more rounds than the data rows. */
  private static final int MIN_PROCESS_ROUNDS = 5;

  private ToolRows() {}

  static List<Row> measure(Settings s, ReferenceImages images) throws Exception {
    List<Row> rows = new ArrayList<>();
    String sparseSize = s.sparseBytes() >= 1L << 40 ? (s.sparseBytes() >> 40) + " TiB"
        : (s.sparseBytes() >> 30) + " GiB";
    Path sparse = images.sparse();
    long[] map = Timing.pair(s.rounds(), () -> map(sparse),
        () -> Proc.run(List.of("qemu-img", "map", "-f", "qcow2", sparse.toString())));
    rows.add(Row.speed("allocation map of an " + sparseSize + " sparse image ("
        + ReferenceImages.SPARSE_RUNS + " data runs)", "qemu-img map", map[0], map[1], 0, 1.0));
    Path allocated = images.allocated();
    long[] check = Timing.pair(s.rounds(),
        () -> Qcow2Check.check(allocated, CheckOptions.check()),
        () -> Proc.run(List.of("qemu-img", "check", "-f", "qcow2", allocated.toString())));
    rows.add(Row.speed("check of a " + s.scaleMiB() + " MiB image", "qemu-img check", check[0],
        check[1], 0, 1.0));
    rows.add(info(s, images.small()));
    rows.add(launcherInfo(s, images.small()));
    return rows;
  }

  /** What qemu-img map computes: the runs of the whole disk, from the image's metadata. */
  static long map(Path image) throws IOException {
    long runs = 0;
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk disk = img.disk();
      long size = disk.size();
      for (long off = 0; off < size; ) {
        Extent e = disk.blockStatus(off, size - off);
        off = e.end();
        runs++;
      }
    }
    return runs;
  }

  /**
   * The same command through the {@code qcow2} launcher the examples build leaves beside the jar:
   * the class-data-sharing archive (qcow2.jsa) and C1 alone for a metadata command. The launcher
   * is a shell script; its shell is part of what is timed.
   */
  private static Row launcherInfo(Settings s, Path small) throws Exception {
    String workload = "`qcow2 info --output=json` (the launcher: AppCDS archive) of a small "
        + "image, whole process";
    String target = "≤ 1.6× the JVM floor";
    Path launcher = s.toolJar() == null ? null : s.toolJar().resolveSibling("qcow2");
    if (launcher == null || !Files.isExecutable(launcher)) {
      return Row.notMeasured(workload, target,
          "examples/target/qcow2 not found (build the examples module first)");
    }
    boolean archived = Files.isRegularFile(s.toolJar().resolveSibling("qcow2.jsa"));
    int rounds = s.rounds() == 1 ? 1 : Math.max(MIN_PROCESS_ROUNDS, s.rounds());
    // The launcher takes JAVA_HOME's JVM: the one this bench runs on, as for the other rows.
    Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"));
    List<String> ours = List.of(launcher.toString(), "info", "--output=json", small.toString());
    List<String> floor = List.of(Proc.java(), "-cp", Hi.classPath(), Hi.class.getName());
    long[] t = Timing.pair(rounds, () -> Proc.run(ours, env), () -> Proc.run(floor));
    long oursNanos = t[0];
    long floorNanos = t[1];
    double ratio = (double) oursNanos / floorNanos;
    return new Row(workload, Row.millis(oursNanos) + (archived ? "" : " (no qcow2.jsa)"),
        "JVM printing \"hi\": " + Row.millis(floorNanos),
        Row.format("%.2f× the floor", ratio), target, ratio <= INFO_TARGET ? "yes" : "no");
  }

  private static Row info(Settings s, Path small) throws Exception {
    String workload = "`qcow2.jar info --output=json` of a small image, whole process";
    String target = "≤ 1.6× the JVM floor";
    if (s.toolJar() == null) {
      return Row.notMeasured(workload, target,
          "examples/target/qcow2.jar not found (build the examples module first)");
    }
    // One round means a smoke run: keep it one.
    int rounds = s.rounds() == 1 ? 1 : Math.max(MIN_PROCESS_ROUNDS, s.rounds());
    String java = Proc.java();
    List<String> ours = List.of(java, "-jar", s.toolJar().toString(), "info", "--output=json",
        small.toString());
    List<String> floor = List.of(java, "-cp", Hi.classPath(), Hi.class.getName());
    List<String> qemu = List.of("qemu-img", "info", "--output=json", small.toString());
    long[] t = Timing.alternate(rounds, Timing.Side.of(() -> Proc.run(ours)),
        Timing.Side.of(() -> Proc.run(floor)), Timing.Side.of(() -> Proc.run(qemu)));
    long oursNanos = t[0];
    long floorNanos = t[1];
    long qemuNanos = t[2];
    double ratio = (double) oursNanos / floorNanos;
    return new Row(workload, Row.millis(oursNanos),
        "JVM printing \"hi\": " + Row.millis(floorNanos) + "; qemu-img info: "
            + Row.millis(qemuNanos),
        Row.format("%.2f× the floor", ratio), target, ratio <= INFO_TARGET ? "yes" : "no");
  }
}
