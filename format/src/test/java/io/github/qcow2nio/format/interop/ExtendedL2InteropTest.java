package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Extended L2 entries: qemu-io writes, zero writes and discards of subcluster granularity, so that
 * allocated, zero (with and without a host cluster) and unallocated subclusters mix inside one
 * cluster, alone and over raw and qcow2 backing files shorter than the overlay.
 */
@Tag("qemu")
class ExtendedL2InteropTest {
  @TempDir Path dir;

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (int cluster : new int[] {16384, 65536, 2 << 20}) {
      for (String backing : new String[] {"none", "raw", "qcow2"}) {
        cases.add(Arguments.of(cluster, backing));
      }
    }
    cases.add(Arguments.of(32768, "raw"));
    return cases.stream();
  }

  static String[] workload(long c, long size) {
    long sc = c / 32;
    List<String> cmds = new ArrayList<>(List.of(
        "write -P 0x01 " + (3 * sc) + " " + (2 * sc),
        "write -P 0x02 " + (10 * sc + 100) + " 50",
        "write -z " + (20 * sc) + " " + (3 * sc),
        "write -z " + (2 * c + 5 * sc) + " " + (2 * sc),
        "write -z -u " + (2 * c + 9 * sc) + " " + sc,
        "write -P 0x03 " + (3 * c) + " " + c,
        "discard " + (3 * c) + " " + c,
        "write -P 0x04 " + (4 * c) + " " + c,
        "write -z -u " + (4 * c + 2 * sc) + " " + (4 * sc),
        "write -P 0x05 " + (4 * c + 3 * sc) + " 10",
        "discard " + (4 * c + 16 * sc) + " " + (16 * sc),
        "write -P 0x06 " + (5 * c - sc / 2) + " " + sc,
        "write -P 0x07 " + (size - 1) + " 1"));
    return cmds.toArray(String[]::new);
  }

  @ParameterizedTest(name = "cluster_size={0} backing={1}")
  @MethodSource("matrix")
  void subclustersReadLikeQemu(int cluster, String backing) throws Exception {
    Qemu.assumeAvailable();
    long size = (cluster >= (2 << 20) ? 12L << 20 : 2L << 20) + cluster / 2 + 512;
    ImageBuilder b = ImageBuilder.qcow2(dir, "ext.qcow2").size(size)
        .option("extended_l2", "on").option("cluster_size", cluster);
    if (!backing.equals("none")) {
      // Shorter than the overlay, ending inside a cluster, so the tail reads zeros.
      byte[] data = TestData.mixed(cluster + backing.hashCode(), (int) (size * 3 / 4) & ~511,
          cluster / 32);
      Path raw = ImageBuilder.raw(dir, "base.raw", data);
      if (backing.equals("qcow2")) {
        Qemu.img("convert", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=" + cluster,
            raw.toString(), dir.resolve("base.qcow2").toString());
      }
      b.backing("base." + backing, backing);
    }
    Path img = b.io(workload(cluster, size)).create();
    QemuOracle.assertReadsLikeQemu(img, dir,
        "extended_l2 cluster_size=" + cluster + " backing=" + backing);
  }
}
