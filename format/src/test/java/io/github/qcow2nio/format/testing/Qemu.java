package io.github.qcow2nio.format.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs qemu-img and qemu-io, the oracle. Tests call {@link #assumeAvailable()} first. */
public final class Qemu {
  private Qemu() {}

  // A holder, so that the probe runs after Qemu is initialised: run() starts a thread that needs
  // Qemu's static methods, which would deadlock inside Qemu's own static initialiser.
  private static final class Probe {
    static final boolean AVAILABLE = probe();
  }

  private static boolean probe() {
    try {
      return run(List.of("qemu-img", "--version")).exitCode == 0
          && run(List.of("qemu-io", "--version")).exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  public static boolean available() {
    return Probe.AVAILABLE;
  }

  /** Skips the calling test when qemu-img or qemu-io is not installed. */
  public static void assumeAvailable() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Probe.AVAILABLE, "qemu-img/qemu-io not installed");
  }

  /** qemu-img's message when its PBKDF timing fails: worth another try. */
  static final String TRANSIENT_CPU_USAGE = "Unable to get accurate CPU usage";
  static final int TRANSIENT_RETRIES = 8;

  /** What a process printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public static Result run(String... command) throws IOException {
    return run(Arrays.asList(command), null);
  }

  public static Result run(List<String> command) throws IOException {
    return run(command, null);
  }

  /**
   * Runs {@code command} in {@code directory} (null: this process's working directory). qemu-img
   * 7.2 times LUKS key derivation by the CPU time it used, and on a busy machine now and then
   * reads zero and gives up: that known transient failure is tried again.
   */
  public static Result run(List<String> command, Path directory) throws IOException {
    Result r = runOnce(command, directory);
    for (int attempt = 1; attempt < TRANSIENT_RETRIES && r.exitCode != 0
        && r.stderr.contains(TRANSIENT_CPU_USAGE); attempt++) {
      r = runOnce(command, directory);
    }
    return r;
  }

  private static Result runOnce(List<String> command, Path directory) throws IOException {
    Processes.Result r = Processes.run(command, directory, null, Duration.ofMinutes(5));
    // The shell's status for a command that is not there.
    return new Result(r.exitCode() == Processes.NOT_STARTED ? 127 : r.exitCode(), r.stdout(),
        r.stderr());
  }

  /** Runs a command and fails with its output unless it exits 0. */
  public static String ok(String... command) throws IOException {
    Result r = run(Arrays.asList(command));
    if (r.exitCode != 0) {
      throw new IOException(String.join(" ", command) + " exited " + r.exitCode + ":\n"
          + r.stdout + r.stderr);
    }
    return r.stdout;
  }

  public static String img(String... args) throws IOException {
    List<String> c = new ArrayList<>();
    c.add("qemu-img");
    c.addAll(Arrays.asList(args));
    return ok(c.toArray(String[]::new));
  }

  /** Runs qemu-io on a qcow2 image with one or more -c commands. */
  public static String io(Path image, String... commands) throws IOException {
    List<String> c = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String cmd : commands) {
      c.add("-c");
      c.add(cmd);
    }
    c.add(image.toString());
    String out = ok(c.toArray(String[]::new));
    if (out.contains("error") || out.contains("failed")) {
      throw new IOException("qemu-io reported a failure on " + image + ":\n" + out);
    }
    return out;
  }

  /** The disk's bytes as qemu-img convert -O raw reads them. */
  public static byte[] rawContents(Path image, Path scratch) throws IOException {
    Path raw = scratch.resolve(image.getFileName() + ".raw");
    img("convert", "-O", "raw", image.toString(), raw.toString());
    byte[] bytes = Files.readAllBytes(raw);
    Files.delete(raw);
    return bytes;
  }

  /**
   * Runs qemu-io with {@code commands} and then aborts it, leaving the image as a crashed QEMU
   * would: dirty with lazy refcounts, bitmaps in use. The abort makes the exit status nonzero.
   */
  public static void ioThenCrash(Path image, String... commands) throws IOException {
    List<String> c = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String cmd : commands) {
      c.add("-c");
      c.add(cmd);
    }
    c.add("-c");
    c.add("abort");
    c.add(image.toString());
    run(c);
  }
}
