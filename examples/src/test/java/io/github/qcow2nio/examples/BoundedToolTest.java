package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.BoundedChild;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tool (info, check, map, convert) on every crafted hostile image of format's
 * HostileImages, in a child JVM with -Xmx128m ({@link ToolBoundsMain}): each run ends with one of
 * qemu-img's statuses and no stack trace, and none hangs. Nothing is timed: the child's 30 s per
 * run only tells a hang from slowness; the measured times go to target/bounded-tool.txt.
 */
class BoundedToolTest {
  @Test
  void theToolAnswersEveryHostileImageUnderA128MiBHeap() throws Exception {
    List<String> lines = BoundedChild.run(ToolBoundsMain.class, "bounded-tool.txt");
    assertEquals(List.of(), BoundedChild.failures(lines), String.join("\n", lines));
    long runs = lines.stream().filter(l -> l.startsWith("RUN\t")).count();
    assertEquals(5L * io.github.qcow2nio.format.testing.HostileImages.all().size(), runs,
        String.join("\n", lines));
  }
}
