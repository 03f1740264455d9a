package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.qcow2nio.format.testing.BoundedChild;
import java.util.ArrayList;
import java.util.List;
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
    List<String> lines = BoundedChild.run(BoundsMain.class, "bounded-images.txt");
    List<String> bad = new ArrayList<>();
    int cases = 0;
    long slowest = 0;
    long slowestCall = 0;
    for (String l : lines) {
      if (l.startsWith("CASE\t")) {
        cases++;
        String[] f = l.split("\t", 4);
        slowest = Math.max(slowest, Long.parseLong(f[2]));
        slowestCall = Math.max(slowestCall, BoundsMain.slowestStep(f[3]));
        if (f[3].startsWith("FAIL") || f[3].startsWith("HANG")) {
          bad.add(l);
        }
      }
    }
    assertEquals(List.of(), bad, String.join("\n", lines));
    assertEquals(BoundsMain.table().size(), cases, "every image answered");
    assertFalse(lines.isEmpty());
    System.out.println("bounded images: " + cases + " images, slowest " + slowest
        + " ms for all four steps, slowest single step " + slowestCall + " ms");
  }
}
