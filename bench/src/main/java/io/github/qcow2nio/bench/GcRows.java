package io.github.qcow2nio.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link HotReadBenchmark} under JMH with the GC profiler (one fork, as {@code -prof gc}
 * does from the command line) and turns {@code gc.alloc.rate.norm} into rows: bytes allocated
 * per read, with the time per read beside it, and for the random read the raw file's figures
 * and the ratio of the two times (the raw read's over ours: above 1 would be faster).
 */
final class GcRows {
  private GcRows() {}

  static List<Row> measure(Settings s) throws RunnerException {
    TimeValue iteration = TimeValue.milliseconds(s.jmhMillis());
    Options options = new OptionsBuilder()
        .include(HotReadBenchmark.class.getName().replace(".", "\\.") + "\\.")
        .param("diskMiB", Integer.toString(Math.min(64, s.scaleMiB())))
        .forks(1)
        .warmupIterations(2).warmupTime(iteration)
        .measurementIterations(3).measurementTime(iteration)
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();
    Map<String, RunResult> byMethod = new HashMap<>();
    for (RunResult r : new Runner(options).run()) {
      String method = r.getParams().getBenchmark();
      byMethod.put(method.substring(method.lastIndexOf('.') + 1), r);
    }
    List<Row> rows = new ArrayList<>();
    for (String method : List.of("random4k", "sequential1m")) {
      RunResult ours = byMethod.get(method);
      RunResult reference = "random4k".equals(method) ? byMethod.get("raw4k") : null;
      rows.add(new Row("hot read path, " + describe(method) + " on an open image (JMH -prof gc)",
          figures(ours),
          reference == null ? "-" : "raw FileChannel, same bytes and offsets: "
              + figures(reference),
          reference == null ? "-" : Row.format("%.2f", reference.getPrimaryResult().getScore()
              / ours.getPrimaryResult().getScore()),
          "report allocation per call", "reported"));
    }
    return rows;
  }

  private static String figures(RunResult r) {
    Result<?> time = r.getPrimaryResult();
    return Row.format("%.0f B/call, %.2f %s", allocationPerCall(r.getSecondaryResults()),
        time.getScore(), time.getScoreUnit());
  }

  private static String describe(String method) {
    return switch (method) {
      case "random4k" -> "random 4 KiB read";
      case "sequential1m" -> "sequential 1 MiB read";
      default -> method;
    };
  }

  /** The profiler's key changed its prefix across JMH versions: match on the suffix. */
  private static double allocationPerCall(Map<String, Result> secondary) {
    for (Map.Entry<String, Result> e : secondary.entrySet()) {
      if (e.getKey().endsWith("gc.alloc.rate.norm")) {
        return e.getValue().getScore();
      }
    }
    return Double.NaN;
  }
}
