package io.github.qcow2nio.ext4.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The installed tools that are the oracle; tests skip when one is absent. */
public final class Tools {
  private static final long TIMEOUT_SECONDS = 120;

  private Tools() {}

  /** The tool's absolute path, searched in PATH and the sbin directories mkfs lives in. */
  public static String find(String tool) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin:/usr/local/sbin";
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, tool);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    return null;
  }

  /** Skips the calling test unless every tool is installed. */
  public static void assume(String... tools) {
    for (String t : tools) {
      Assumptions.assumeTrue(find(t) != null, t + " is not installed");
    }
  }

  /** Runs {@code command} (its first word a tool name), returns stdout; a failure throws. */
  public static String run(List<String> command) throws IOException {
    return run(command, true);
  }

  public static String run(List<String> command, boolean checkExit) throws IOException {
    String exe = find(command.get(0));
    if (exe == null) {
      throw new IOException(command.get(0) + " is not installed");
    }
    List<String> full = new java.util.ArrayList<>(command);
    full.set(0, exe);
    ProcessBuilder pb = new ProcessBuilder(full);
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("LANG", "C");
    pb.redirectErrorStream(false);
    File err = File.createTempFile("tool", ".err");
    pb.redirectError(err);
    Process p = pb.start();
    byte[] out;
    try {
      p.getOutputStream().close();
      out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + full);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + full, e);
    }
    String errText = Files.readString(err.toPath(), StandardCharsets.UTF_8);
    Files.deleteIfExists(err.toPath());
    if (checkExit && p.exitValue() != 0) {
      throw new IOException("exit " + p.exitValue() + " from " + full + ": " + errText);
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
