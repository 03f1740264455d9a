package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * Standard L2 layouts across the option matrix (compat, cluster size, refcount width,
 * preallocation): one qemu-io workload of data, zero clusters with and without a host cluster,
 * discards, L2-table boundaries and the last byte, read back and compared with qemu-img.
 */
@Tag("qemu")
class LayoutInteropTest {
  static final int[] CLUSTER_SIZES = {512, 1024, 4096, 16384, 65536, 2 << 20};

  @TempDir Path dir;

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (int cluster : CLUSTER_SIZES) {
      cases.add(Arguments.of("0.10", cluster, 16));
      for (int bits = 1; bits <= 64; bits *= 2) {
        cases.add(Arguments.of("1.1", cluster, bits));
      }
    }
    return cases.stream();
  }

  /** A virtual size that is not a multiple of the cluster size (for clusters over 512 bytes). */
  static long oddSize(int cluster) {
    long base = cluster >= (2 << 20) ? 6L << 20 : 4L << 20;
    return base + cluster + Math.max(512, cluster / 2);
  }

  /** Where the workload zeroes two whole allocated clusters: clear of the other writes. */
  static long zeroAt(long c, long size) {
    return c >= (2 << 20) ? 2 * c : 2621440 + 4 * c;
  }

  /** Data, zeros (kept and unmapped), discards, partial clusters, an L2 boundary, the end. */
  static String[] workload(int cluster, long size, boolean v3) {
    long c = cluster;
    long l2Span = c * (c / 8);
    List<String> cmds = new ArrayList<>(List.of(
        "write -P 0x11 0 " + (c + 1000),
        "write -P 0x22 " + (3 * c + 100) + " 700",
        "write -P 0x33 1048576 204800",
        "write -z " + (1048576 + 51200) + " 30000",
        "write -z -u " + (1048576 + 122880) + " 40960",
        "discard " + (1048576 + 2 * c) + " " + c,
        "write -z 2097152 " + (2 * c),
        "write -z -u 2621440 " + (3 * c),
        // Whole allocated clusters zeroed: kept (zero flag with a host offset), and unmapped.
        "write -P 0x34 " + (zeroAt(c, size)) + " " + (2 * c),
        "write -z " + (zeroAt(c, size)) + " " + c,
        "write -z -u " + (zeroAt(c, size) + c) + " " + c,
        "write -P 0x55 " + (size - c - 10) + " 20",
        "write -P 0x44 " + (size - 1) + " 1"));
    if (l2Span + 300 < size) {
      cmds.add("write -P 0x66 " + (l2Span - 300) + " 600");
    }
    if (3 * l2Span + 100 < size) {
      cmds.add("write -P 0x67 " + (3 * l2Span - 100) + " 200");
    }
    if (!v3) {
      // v2 has no zero flag: qemu writes zeros or frees; both must still read back the same.
      cmds.add("write -P 0x77 3145728 " + c);
    }
    return cmds.toArray(String[]::new);
  }

  @ParameterizedTest(name = "compat={0} cluster_size={1} refcount_bits={2}")
  @MethodSource("matrix")
  void readsLikeQemu(String compat, int cluster, int refcountBits) throws Exception {
    Qemu.assumeAvailable();
    long size = oddSize(cluster);
    Path img = ImageBuilder.qcow2(dir, "layout.qcow2").size(size)
        .option("compat", compat).option("cluster_size", cluster)
        .option("refcount_bits", refcountBits)
        .io(workload(cluster, size, compat.equals("1.1")))
        .create();
    QemuOracle.assertReadsLikeQemu(img, dir,
        "compat=" + compat + " cluster_size=" + cluster + " refcount_bits=" + refcountBits);
  }

  @ParameterizedTest(name = "preallocation={0}")
  @ValueSource(strings = {"metadata", "falloc", "full"})
  void preallocated(String mode) throws Exception {
    Qemu.assumeAvailable();
    for (String options : new String[] {"cluster_size=512", "cluster_size=65536",
        "cluster_size=65536,extended_l2=on"}) {
      int cluster = Integer.parseInt(options.replaceAll(".*cluster_size=(\\d+).*", "$1"));
      long size = oddSize(cluster);
      Path img = ImageBuilder.qcow2(dir, "prealloc.qcow2").size(size)
          .option("preallocation", mode).options(options)
          .io("write -P 0x5a 4096 100000", "write -z 2097152 " + (2 * cluster),
              "write -z -u " + (2097152 + 4 * cluster) + " " + cluster,
              "write -P 0x44 " + (size - 1) + " 1")
          .create();
      QemuOracle.assertReadsLikeQemu(img, dir, "preallocation=" + mode + " " + options);
    }
  }

  @ParameterizedTest(name = "empty, compat={0}")
  @ValueSource(strings = {"0.10", "1.1"})
  void emptyImage(String compat) throws Exception {
    Qemu.assumeAvailable();
    Path img = ImageBuilder.qcow2(dir, "empty.qcow2").size(3 << 20)
        .option("compat", compat).create();
    QemuOracle.assertReadsLikeQemu(img, dir, "empty compat=" + compat);
  }

  @ParameterizedTest(name = "all zero clusters, unmap={0}")
  @ValueSource(booleans = {false, true})
  void allZeroClusters(boolean unmap) throws Exception {
    Qemu.assumeAvailable();
    long size = 3 * 65536 + 4096;
    Path img = ImageBuilder.qcow2(dir, "zeros.qcow2").size(size)
        .io("write -P 0x9 0 " + size, "write -z " + (unmap ? "-u " : "") + "0 " + size)
        .create();
    QemuOracle.assertReadsLikeQemu(img, dir, "all zero clusters unmap=" + unmap);
  }

  @ParameterizedTest(name = "grown then shrunk, compat={0}")
  @ValueSource(strings = {"0.10", "1.1"})
  void resized(String compat) throws Exception {
    Qemu.assumeAvailable();
    long grown = (7L << 20) + 1536;
    long shrunk = (3L << 20) + 2560;
    Path img = ImageBuilder.qcow2(dir, "resized.qcow2").size(4L << 20)
        .option("compat", compat).option("cluster_size", 4096)
        .io("write -P 0x31 0 " + (4 << 20)).create();
    Qemu.img("resize", "-f", "qcow2", img.toString(), Long.toString(grown));
    Qemu.io(img, "write -P 0x32 " + (grown - 5000) + " 5000");
    QemuOracle.assertReadsLikeQemu(img, dir, "grown, compat=" + compat);
    Qemu.img("resize", "-f", "qcow2", "--shrink", img.toString(), Long.toString(shrunk));
    QemuOracle.assertReadsLikeQemu(img, dir, "shrunk, compat=" + compat);
  }

  @ParameterizedTest(name = "persistent bitmaps, cluster_size={0}")
  @ValueSource(ints = {512, 65536})
  void withPersistentBitmaps(int cluster) throws Exception {
    Qemu.assumeAvailable();
    long size = oddSize(cluster);
    Path img = ImageBuilder.qcow2(dir, "bitmaps.qcow2").size(size)
        .option("cluster_size", cluster).io("write -P 0x41 0 300000").create();
    Qemu.img("bitmap", "--add", img.toString(), "b0");
    Qemu.img("bitmap", "--add", "--granularity", "65536", img.toString(), "b1");
    Qemu.io(img, "write -P 0x42 200000 300000", "write -z 1048576 65536",
        "write -P 0x43 " + (size - 1) + " 1");
    Qemu.img("bitmap", "--disable", img.toString(), "b1");
    QemuOracle.assertReadsLikeQemu(img, dir, "persistent bitmaps, cluster_size=" + cluster);
  }

  @ParameterizedTest(name = "tiny disk of {0} bytes")
  @ValueSource(longs = {0, 512, 1536, 65536, 66048})
  void tinyDisks(long size) throws Exception {
    Qemu.assumeAvailable();
    ImageBuilder b = ImageBuilder.qcow2(dir, "tiny.qcow2").size(size);
    if (size > 0) {
      b.io("write -P 0x3e " + (size - 1) + " 1", "write -P 0x3f 0 " + Math.min(size, 700));
    }
    Path img = b.create();
    QemuOracle.assertReadsLikeQemu(img, dir, "tiny disk of " + size + " bytes");
  }

  @ParameterizedTest(name = "VM state written beyond the disk, cluster_size={0}")
  @ValueSource(ints = {512, 65536})
  void vmStateBeyondTheDisk(int cluster) throws Exception {
    Qemu.assumeAvailable();
    long size = oddSize(cluster);
    // qemu-io write -b stores VM state in clusters mapped past the disk's end, so the L1 table
    // holds entries the disk never reads.
    Path img = ImageBuilder.qcow2(dir, "vmstate.qcow2").size(size).option("cluster_size", cluster)
        .io("write -P 0x61 0 100000", "write -b -P 0x62 0 204800",
            "write -P 0x63 " + (size - 100) + " 100")
        .create();
    QemuOracle.assertReadsLikeQemu(img, dir, "VM state, cluster_size=" + cluster);
  }
}
