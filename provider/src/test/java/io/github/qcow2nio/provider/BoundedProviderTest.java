package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The qcow2 provider on every crafted hostile image of format's HostileImages, in a child JVM
 * with -Xmx128m ({@link ProviderBoundsMain}): read-only and read-write file systems end in a
 * result or an IOException, and none hangs. Nothing is timed: the child's 30 s per image only
 * tells a hang from slowness; the measured times go to target/bounded-provider.txt.
 */
class BoundedProviderTest {
  @Test
  void theProviderAnswersEveryHostileImageUnderA128MiBHeap() throws Exception {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path out = Path.of("target", "bounded-provider.txt");
    Files.createDirectories(out.getParent());
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m",
        "-XX:+ExitOnOutOfMemoryError", "-cp", cp, ProviderBoundsMain.class.getName())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    boolean done = p.waitFor(15, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertTrue(done, "the child JVM did not finish: " + lines);
    List<String> bad = lines.stream().filter(l -> l.contains("FAIL") || l.contains("HANG"))
        .toList();
    assertEquals(List.of(), bad, String.join("\n", lines));
    assertEquals(0, p.exitValue(), String.join("\n", lines));
    long runs = lines.stream().filter(l -> l.startsWith("CASE\t")).count();
    assertEquals(io.github.qcow2nio.format.testing.HostileImages.all().size(), runs,
        String.join("\n", lines));
  }
}
