package io.github.qcow2nio.partition.testing;

import io.github.qcow2nio.format.testing.Processes;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the oracle tools (sfdisk, sgdisk, mkfs.fat, qemu-img) with a timeout and {@code LC_ALL=C},
 * so their output does not depend on the machine's locale. Tests call {@link #assume} first.
 */
public final class Tools {
  private static final Map<String, Boolean> AVAILABLE = new ConcurrentHashMap<>();

  private static final int NOT_STARTED = Processes.NOT_STARTED;

  private Tools() {}

  /** What a process printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {}

  /** Skips the calling test unless every tool runs. */
  public static void assume(String... tools) {
    for (String t : tools) {
      Assumptions.assumeTrue(available(t), t + " is not installed");
    }
  }

  public static boolean available(String tool) {
    return AVAILABLE.computeIfAbsent(tool, t -> {
      try {
        // Started is enough: mkfs.fat, for one, exits 1 on --version.
        return run(List.of(t, "--version"), null).exitCode() != NOT_STARTED;
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** Runs a command and fails with its output unless it exits 0. */
  public static String ok(String... command) throws IOException {
    return okWithInput(null, command);
  }

  /** As {@link #ok}, with {@code input} on the command's standard input. */
  public static String okWithInput(String input, String... command) throws IOException {
    Result r = run(Arrays.asList(command), input);
    if (r.exitCode() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + r.exitCode() + ":\n"
          + r.stdout() + r.stderr());
    }
    return r.stdout();
  }

  public static Result run(List<String> command, String input) throws IOException {
    Processes.Result r = Processes.run(command, null, input, Duration.ofMinutes(2));
    return new Result(r.exitCode(), r.stdout(), r.stderr());
  }
}
