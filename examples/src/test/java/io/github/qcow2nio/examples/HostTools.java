package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real tools that are the tests' oracle (sfdisk, sgdisk, mkfs.fat, fsck.fat, mtools,
 * mkfs.ext4, debugfs, qemu-img), run with a timeout, in the C locale and in the JVM's time zone
 * (so times they print are the times the tool prints).
 */
final class HostTools {
  private HostTools() {}

  /** What a tool did. */
  record Result(int status, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  /** Skips the calling test unless every tool is on the PATH. */
  static void assume(String... tools) {
    for (String tool : tools) {
      Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
    }
  }

  static boolean onPath(String tool) {
    return which(tool) != null;
  }

  /** The tool's executable: on the PATH, or in /sbin or /usr/sbin (where Debian puts some). */
  private static Path which(String tool) {
    String path = System.getenv("PATH");
    List<String> dirs = new java.util.ArrayList<>(path == null ? List.of()
        : Arrays.asList(path.split(java.io.File.pathSeparator)));
    dirs.addAll(List.of("/sbin", "/usr/sbin"));
    for (String dir : dirs) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Runs {@code command}; fails the test unless it exits 0. Returns its stdout as text. */
  static String ok(String... command) {
    Result r = run(null, command);
    assertEquals(0, r.status(), () -> String.join(" ", command) + " failed: " + r.err()
        + r.text());
    return r.text();
  }

  /** Runs {@code command} with {@code stdin} (or none); any exit status. */
  static Result run(byte[] stdin, String... command) {
    List<String> cmd = new java.util.ArrayList<>(Arrays.asList(command));
    Path exe = which(command[0]);
    if (exe != null) {
      cmd.set(0, exe.toString());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("TZ", ZoneId.systemDefault().getId());
    pb.environment().put("MTOOLS_SKIP_CHECK", "1");
    try {
      Process p = pb.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread o = drain(p.getInputStream(), out);
      Thread e = drain(p.getErrorStream(), err);
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      }
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
      }
      o.join();
      e.join();
      return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new AssertionError(ex);
    }
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream to) {
    Thread t = new Thread(() -> {
      try (in) {
        in.transferTo(to);
      } catch (IOException ignored) {
        // the process went away; what it wrote is kept
      }
    });
    t.start();
    return t;
  }

  /** fsck.fat -n on a volume file: it must find nothing to repair. */
  static void fsckClean(Path volume) {
    Result r = run(null, "fsck.fat", "-n", volume.toString());
    assertEquals(0, r.status(), () -> "fsck.fat -n: " + r.text() + r.err());
  }
}
