package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hostile-image table ({@link BoundsMain}) in a child JVM with -Xmx128m: every image, opened,
 * read, checked, written and repaired, ends in a result or an IOException, none hangs, and none
 * needs more than that heap. Nothing is timed here: the child's 30-second bound per image only
 * tells a hang from slowness; the measured times are written to
 * target/bounded-images.txt (and quoted in LIMITS.md).
 */
class BoundedImagesTest {

  @Test
  void everyHostileImageIsAnsweredUnderA128MiBHeap() throws Exception {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path out = Path.of("target", "bounded-images.txt");
    Files.createDirectories(out.getParent());
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m",
        "-XX:+ExitOnOutOfMemoryError", "-cp", cp, BoundsMain.class.getName())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    boolean done = p.waitFor(15, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertTrue(done, "the child JVM did not finish: " + lines);
    List<String> bad = new ArrayList<>();
    int cases = 0;
    long slowest = 0;
    for (String l : lines) {
      if (l.startsWith("CASE\t")) {
        cases++;
        String[] f = l.split("\t", 4);
        slowest = Math.max(slowest, Long.parseLong(f[2]));
        if (f[3].startsWith("FAIL") || f[3].startsWith("HANG")) {
          bad.add(l);
        }
      }
    }
    assertEquals(List.of(), bad, String.join("\n", lines));
    assertEquals(0, p.exitValue(), String.join("\n", lines));
    assertEquals(BoundsMain.table().size(), cases, "every image answered");
    assertFalse(lines.isEmpty());
    System.out.println("bounded images: " + cases + " images, slowest " + slowest + " ms");
  }
}
