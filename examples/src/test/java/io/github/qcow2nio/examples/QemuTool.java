package io.github.qcow2nio.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs qemu-img and qemu-io, the oracle for the tool's output. (The format module's test helper
 * is not published as a test jar; this is the small part the tool's tests need.)
 */
final class QemuTool {
  private QemuTool() {}

  private static final class Probe {
    static final boolean AVAILABLE = probe();
  }

  private static boolean probe() {
    try {
      return run("qemu-img", "--version").exitCode == 0
          && run("qemu-io", "--version").exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Skips the calling test when qemu-img or qemu-io is not installed. */
  static void assumeAvailable() {
    Assumptions.assumeTrue(Probe.AVAILABLE, "qemu-img/qemu-io not installed");
  }

  record Result(int exitCode, String stdout, String stderr) {}

  static Result run(String... command) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      return new Result(127, "", e.getMessage());
    }
    p.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
    drain.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    copy(p.getInputStream(), out);
    try {
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + Arrays.toString(command));
      }
      drain.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + Arrays.toString(command), e);
    }
    return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // The process died; its exit code tells the story.
    }
  }

  /** Runs qemu-img with {@code args}; fails unless it exits 0; returns its stdout. */
  static String img(String... args) throws IOException {
    List<String> c = new ArrayList<>(List.of("qemu-img"));
    c.addAll(Arrays.asList(args));
    Result r = run(c.toArray(String[]::new));
    if (r.exitCode != 0) {
      throw new IOException(c + " exited " + r.exitCode + ":\n" + r.stdout + r.stderr);
    }
    return r.stdout;
  }

  /** Runs qemu-io -f qcow2 with one or more -c commands on {@code image}. */
  static void io(Path image, String... commands) throws IOException {
    List<String> c = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String cmd : commands) {
      c.add("-c");
      c.add(cmd);
    }
    c.add(image.toString());
    Result r = run(c.toArray(String[]::new));
    if (r.exitCode != 0 || r.stdout.contains("error") || r.stdout.contains("failed")) {
      throw new IOException(c + " failed:\n" + r.stdout + r.stderr);
    }
  }

  /**
   * Runs qemu-io with {@code commands} and then aborts it, leaving the image as a crashed QEMU
   * would: dirty with lazy refcounts, bitmaps in use. The abort makes the exit status nonzero.
   */
  static void ioThenCrash(Path image, String... commands) throws IOException {
    List<String> c = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String cmd : commands) {
      c.add("-c");
      c.add(cmd);
    }
    c.add("-c");
    c.add("abort");
    c.add(image.toString());
    run(c.toArray(String[]::new));
  }
}
