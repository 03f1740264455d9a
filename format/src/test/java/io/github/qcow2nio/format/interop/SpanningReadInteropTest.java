package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * One read call that crosses, in order, an allocated cluster, a zero cluster, an unallocated
 * cluster showing backing data, a compressed cluster, a zero cluster with a host offset and
 * unallocated clusters past the backing file's end: readers that let one kind win over the next,
 * or restart at the wrong offset, break here. The fixture's cluster kinds are checked with
 * qemu-img map so the test cannot pass on a layout it did not intend.
 */
@Tag("qemu")
class SpanningReadInteropTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "cluster_size=65536 extended_l2={0}")
  @ValueSource(booleans = {false, true})
  void oneReadSpansEveryKind(boolean extendedL2) throws Exception {
    Qemu.assumeAvailable();
    int c = 65536;
    long size = 8L * c;
    // The backing file covers clusters 0..5 and a half: clusters 6 and 7 read zeros beyond it.
    ImageBuilder.raw(dir, "base.raw", TestData.random(42, 5 * c + c / 2));
    Path pattern = ImageBuilder.raw(dir, "pattern.bin", TestData.mixed(7, c, 512));
    Path img = ImageBuilder.qcow2(dir, "span.qcow2").size(size).option("cluster_size", c)
        .option("extended_l2", extendedL2 ? "on" : "off").backing("base.raw", "raw")
        .io("write -P 0x11 0 " + c,
            "write -z " + c + " " + c,
            "write -c -s " + pattern + " " + (3 * c) + " " + c,
            "write -P 0x44 " + (4 * c) + " " + c,
            "write -z " + (4 * c) + " " + c,
            "write -P 0x77 " + (7 * c + 100) + " 100")
        .create();
    String map = Qemu.img("map", "--output=json", "-f", "qcow2", img.toString());
    assertTrue(map.contains("\"start\": 65536, \"length\": 65536, \"depth\": 0, \"present\": true,"
        + " \"zero\": true"), "fixture: cluster 1 should be a zero cluster:\n" + map);
    assertTrue(map.contains("\"start\": 131072, \"length\": 65536, \"depth\": 1"),
        "fixture: cluster 2 should come from the backing file:\n" + map);
    assertEquals(1, CompressedInteropTest.compressedClusters(img), "fixture: cluster 3");

    byte[] expected = Qemu.rawContents(img, dir);
    try (Qcow2Image image = Qcow2Image.open(img)) {
      for (long from : new long[] {0, 100, c - 1}) {
        int length = (int) (size - from - 7);
        ByteBuffer dst = ByteBuffer.allocate(length);
        assertEquals(length, image.disk().read(dst, from));
        assertArrayEquals(Arrays.copyOfRange(expected, (int) from, (int) from + length),
            dst.array(), "one read from " + from + ", extended_l2=" + extendedL2);
      }
    }
  }
}
