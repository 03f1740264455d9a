package io.github.qcow2nio.bench;

import java.util.ArrayList;
import java.util.Collection;
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
 * per read, with the time per read beside it.
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
    Collection<RunResult> results = new Runner(options).run();
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      Result<?> time = r.getPrimaryResult();
      rows.add(new Row("hot read path, " + describe(method) + " on an open image (JMH -prof gc)",
          Row.format("%.0f B/call, %.2f %s", allocationPerCall(r.getSecondaryResults()),
              time.getScore(), time.getScoreUnit()),
          "-", "-", "report allocation per call", "reported"));
    }
    return rows;
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
