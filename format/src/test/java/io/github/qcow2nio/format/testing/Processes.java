package io.github.qcow2nio.format.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one process runner of the tests' oracle tools (qemu-img, sfdisk, mkfs...): the child runs
 * with {@code LC_ALL=C} so that its words do not depend on the machine's locale, reads the given
 * input (or none), and is given up on after a timeout. stderr drains on a thread of its own, so
 * that neither pipe fills while the other is read.
 */
public final class Processes {
  /** The exit status of a command that could not be started (not installed). */
  public static final int NOT_STARTED = -1;

  private Processes() {}

  /** What a process printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code command} in {@code directory} (null: this process's working directory) with
   * {@code input} on its stdin (null: none). A command that does not start exits
   * {@link #NOT_STARTED}, the reason on stderr.
   */
  public static Result run(List<String> command, Path directory, String input, Duration timeout)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("LC_ALL", "C");
    if (directory != null) {
      pb.directory(directory.toFile());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(NOT_STARTED, "", e.getMessage());
    }
    try (OutputStream in = p.getOutputStream()) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
    drain.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    copy(p.getInputStream(), out);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + command);
      }
      drain.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command, e);
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
}
