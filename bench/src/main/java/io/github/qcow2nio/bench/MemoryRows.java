package io.github.qcow2nio.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory rows, from one child JVM with {@code -Xmx64m} ({@link SparseChild}): whether it
 * opened, mapped and streamed the sparse image, and how much heap the open image retained after
 * every L2 table of the image had been needed once.
 */
final class MemoryRows {
  private static final long CACHE_TARGET = 32L << 20;
  private static final double MIB = 1024.0 * 1024.0;

  private MemoryRows() {}

  static List<Row> measure(Settings s, ReferenceImages images) throws Exception {
    // This JVM's whole class path: the child needs the format core (and under surefire the
    // class path is a manifest-only jar naming every entry).
    List<String> command = List.of(Proc.java(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"),
        SparseChild.class.getName(), images.sparse().toString());
    Proc.Output out = Proc.capture(command);
    String streamed = "open, map and stream the sparse image in a child JVM with -Xmx64m";
    // One 64 KiB L2 table maps 512 MiB: the runs lie in this many distinct tables.
    long tables = Math.min(ReferenceImages.SPARSE_RUNS, s.sparseBytes() >> 29);
    String cache = "heap retained by an open image after " + tables
        + " distinct L2 tables were read (default caches)";
    String report = report(out.text());
    if (out.exitCode() != 0 || report == null) {
      String why = firstLine(out.text());
      return List.of(
          new Row(streamed, "failed: exit " + out.exitCode() + ", " + why, "-", "-",
              "succeeds", "no"),
          Row.notMeasured(cache, "≤ 32 MiB per image", "the child failed"));
    }
    Map<String, Long> facts = parse(report);
    long opened = facts.get("openBytes");
    long caches = facts.get("retainedBytes") - opened;
    return List.of(
        new Row(streamed, Row.format("succeeded: %d runs mapped, %d MiB of data read",
            facts.get("runs"), facts.get("dataBytes") >> 20), "-", "-", "succeeds", "yes"),
        new Row(cache, Row.format("caches %.2f MiB (heap growth from reading; the open image"
                + " held %.2f MiB before, L1 table %.2f MiB)", caches / MIB, opened / MIB,
                facts.get("l1Bytes") / MIB),
            Row.format("%d MiB if every table stayed cached", tables * 65536 >> 20), "-",
            "≤ 32 MiB per image", caches <= CACHE_TARGET ? "yes" : "no"));
  }

  /**
   * The child's report, the line starting "ok ", or null. Not necessarily the first line: a
   * library on the class path may log as it loads (GKL says where it unpacked its native code).
   */
  private static String report(String text) {
    return text.lines().filter(l -> l.startsWith("ok ")).findFirst().orElse(null);
  }

  private static Map<String, Long> parse(String report) {
    Map<String, Long> facts = new TreeMap<>();
    for (String word : report.split(" ")) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        facts.put(word.substring(0, eq), Long.parseLong(word.substring(eq + 1)));
      }
    }
    return facts;
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return (nl < 0 ? text : text.substring(0, nl)).strip();
  }
}
