package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.BoundedChild;
import java.util.List;
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
    List<String> lines = BoundedChild.run(ProviderBoundsMain.class, "bounded-provider.txt");
    assertEquals(List.of(), BoundedChild.failures(lines), String.join("\n", lines));
    long runs = lines.stream().filter(l -> l.startsWith("CASE\t")).count();
    assertEquals(io.github.qcow2nio.format.testing.HostileImages.all().size(), runs,
        String.join("\n", lines));
  }
}
