package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.DiskReads;
import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.io.RandomAccessFile;
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
 * Sparse disks of gigabytes to terabytes, with data, zeros and compressed clusters just below and
 * above 2^31, 2^32, 2^36 and 2^40 and at the very end: offsets that overflow an int, or an int
 * shift, show here. Too big to convert whole, they are compared window by window with what
 * qemu-img reads through a raw node with an offset.
 */
@Tag("qemu")
class LargeDiskInteropTest {
  private static final long TIB = 1L << 40;
  private static final int WINDOW = 600_064; // qemu wants raw windows in whole sectors

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("cluster_size=65536", 4 * TIB + 1536, "none"),
        Arguments.of("cluster_size=65536,extended_l2=on", 4 * TIB + 1536, "raw"),
        Arguments.of("cluster_size=512", (20L << 30) + 512, "none"),
        Arguments.of("cluster_size=2097152,compression_type=zstd", 4 * TIB + 4096, "qcow2"),
        Arguments.of("cluster_size=4096,compression_type=zlib", TIB + 3 * 4096, "none"));
  }

  @ParameterizedTest(name = "{0} size={1} backing={2}")
  @MethodSource("cases")
  void highOffsetsReadLikeQemu(String options, long size, String backing) throws Exception {
    Qemu.assumeAvailable();
    boolean compressed = options.contains("compression_type");
    int cluster = Integer.parseInt(options.replaceAll(".*cluster_size=(\\d+).*", "$1"));
    List<Long> marks = new ArrayList<>();
    for (long m : new long[] {1L << 31, 1L << 32, 1L << 36, 1L << 40}) {
      if (m + WINDOW < size) {
        marks.add(m);
      }
    }
    ImageBuilder b = ImageBuilder.qcow2(dir, "large.qcow2").size(size).options(options);
    if (!backing.equals("none")) {
      // A sparse backing file that ends 1.5 clusters past the last mark, with data around each.
      long backingSize = marks.get(marks.size() - 1) + cluster + cluster / 2;
      Path raw = dir.resolve("base.raw");
      try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
        f.setLength(backingSize);
        for (long m : marks) {
          f.seek(m - 200_000);
          f.write(TestData.mixed(m, 400_000, 4096));
        }
      }
      if (backing.equals("qcow2")) {
        Qemu.img("convert", "-S", "4096", "-f", "raw", "-O", "qcow2", raw.toString(),
            dir.resolve("base.qcow2").toString());
      }
      b.backing("base." + backing, backing);
    }
    List<String> cmds = new ArrayList<>();
    Path pattern = ImageBuilder.raw(dir, "pattern.bin", TestData.mixed(size, cluster, 512));
    for (long m : marks) {
      cmds.add("write -P 0x5a " + (m - 1000) + " 2000");
      cmds.add("write -z " + (m + 2L * cluster) + " " + (3L * cluster));
      if (compressed) {
        cmds.add("write -c -s " + pattern + " " + (m - 4L * cluster) + " " + cluster);
        cmds.add("write -c -P 0x21 " + (m + 8L * cluster) + " " + cluster);
      }
    }
    long lastCluster = (size - 1) / cluster * cluster;
    if (compressed && lastCluster + cluster <= size) {
      cmds.add("write -c -s " + pattern + " " + lastCluster + " " + cluster);
    } else {
      cmds.add("write -P 0x7e " + (size - 700) + " 700");
    }
    Path img = b.io(cmds.toArray(String[]::new)).create();

    String label = options + " size=" + size + " backing=" + backing;
    try (Qcow2Image image = Qcow2Image.open(img)) {
      for (long m : marks) {
        long from = m - WINDOW / 2;
        DiskReads.assertWindowReadsLike(QemuOracle.qemuWindow(img, from, WINDOW, dir), from,
            image.disk(), label);
      }
      long from = size - WINDOW;
      DiskReads.assertWindowReadsLike(QemuOracle.qemuWindow(img, from, WINDOW, dir), from,
          image.disk(), label);
    }
  }
}
