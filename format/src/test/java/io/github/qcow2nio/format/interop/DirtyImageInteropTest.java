package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * An image whose writer died: qemu-io writes with lazy_refcounts=on and then kills itself, so the
 * dirty bit stays set and the refcounts are stale. The data it wrote is reachable through the L2
 * tables and must read as qemu-img reads it.
 */
@Tag("qemu")
class DirtyImageInteropTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "lazy_refcounts, killed writer, cluster_size={0}")
  @ValueSource(ints = {512, 65536})
  void dirtyImageReadsLikeQemu(int cluster) throws Exception {
    Qemu.assumeAvailable();
    long size = (3 << 20) + 1536;
    Path img = ImageBuilder.qcow2(dir, "dirty.qcow2").size(size)
        .option("lazy_refcounts", "on").option("cluster_size", cluster)
        .io("write -P 0x01 0 100000").create();
    Qemu.Result r = Qemu.run(List.of("qemu-io", "-f", "qcow2",
        "-c", "write -P 0x02 50000 300000",
        "-c", "write -z 1048576 " + (4 * cluster),
        "-c", "write -P 0x03 " + (size - 10) + " 10",
        "-c", "sigraise 9", img.toString()));
    assertNotEquals(0, r.exitCode(), "qemu-io should have died: " + r);
    try (Qcow2Image image = Qcow2Image.open(img)) {
      assertTrue(image.header().isDirty(), "fixture: the dirty bit should be set");
    }
    QemuOracle.assertReadsLikeQemu(img, dir, "dirty, cluster_size=" + cluster);
  }
}
