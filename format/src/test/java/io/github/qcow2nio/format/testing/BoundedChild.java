package io.github.qcow2nio.format.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a harness's main class in a child JVM with a 128 MiB heap, as the hostile-image bounds
 * tests of every module do: what a parser allocates must fit there, and an OutOfMemoryError ends
 * the child instead of being caught. The child's output goes to {@code target/<name>}, kept for
 * the measured times; nothing here is timed, the 15 minutes only tell a hang from slowness.
 */
public final class BoundedChild {
  private BoundedChild() {}

  /** What the child printed, one line per entry, after it exited with status 0. */
  public static List<String> run(Class<?> main, String outputName)
      throws IOException, InterruptedException {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path out = Path.of("target", outputName);
    Files.createDirectories(out.getParent());
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m",
        "-XX:+ExitOnOutOfMemoryError", "-cp", cp, main.getName())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    boolean done = p.waitFor(15, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertTrue(done, "the child JVM did not finish: " + lines);
    assertEquals(0, p.exitValue(), String.join("\n", lines));
    return lines;
  }

  /** The lines that report a failure or a hang. */
  public static List<String> failures(List<String> lines) {
    return lines.stream().filter(l -> l.contains("FAIL") || l.contains("HANG")).toList();
  }
}
