package io.github.qcow2nio.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the external programs a row compares against: qemu-img, qemu-io, java. */
final class Proc {
  private static final long TIMEOUT_MINUTES = 30;

  private Proc() {}

  /**
   * Runs {@code command} with its output discarded (what is timed is the process, not a pipe we
   * drain) and fails unless it exits 0.
   */
  static void run(List<String> command) throws IOException, InterruptedException {
    run(command, Map.of());
  }

  /** {@link #run(List)} with {@code env} added to the child's environment. */
  static void run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = builder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    if (p.exitValue() != 0) {
      throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command));
    }
  }

  /** Runs {@code command} and returns its stdout and stderr, whatever its exit code. */
  static Output capture(List<String> command) throws IOException, InterruptedException {
    Process p = builder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(p.getInputStream(), out));
    reader.start();
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    reader.join();
    return new Output(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }

  record Output(int exitCode, String text) {}

  /** True when {@code program --version} runs. */
  static boolean available(String program) {
    try {
      return capture(List.of(program, "--version")).exitCode() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The java launcher of this JVM, so child JVMs run the same JDK. */
  static String java() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }

  private static ProcessBuilder builder(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    // Locale-independent output from the tools (lscpu, qemu-img).
    pb.environment().put("LC_ALL", "C");
    return pb;
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
