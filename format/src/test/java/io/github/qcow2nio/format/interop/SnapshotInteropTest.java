package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Internal snapshots taken with qemu-img snapshot -c between qemu-io writes that overwrite, zero
 * and discard what the earlier snapshots hold (and, on v3, grow the disk): the active disk and
 * every snapshot's disk must read as qemu-img convert reads them ({@code -l snapshot.name=}), at
 * the size the disk had when the snapshot was taken.
 */
@Tag("qemu")
class SnapshotInteropTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  static Stream<Arguments> matrix() {
    return Stream.of(
        Arguments.of("compat=0.10,cluster_size=65536", "none"),
        Arguments.of("compat=0.10,cluster_size=512", "none"),
        Arguments.of("compat=1.1,cluster_size=65536", "none"),
        Arguments.of("compat=1.1,cluster_size=1024,refcount_bits=4", "none"),
        Arguments.of("compat=1.1,cluster_size=65536,extended_l2=on", "none"),
        Arguments.of("compat=1.1,cluster_size=4096,compression_type=zstd", "compressed"),
        Arguments.of("compat=1.1,cluster_size=65536,compression_type=zlib", "compressed"),
        Arguments.of("compat=1.1,cluster_size=65536", "qcow2 backing"),
        Arguments.of("compat=1.1,cluster_size=16384,extended_l2=on", "raw backing"));
  }

  @ParameterizedTest(name = "{0} start={1}")
  @MethodSource("matrix")
  void snapshotsReadLikeQemu(String options, String start) throws Exception {
    Qemu.assumeAvailable();
    boolean v3 = options.contains("compat=1.1");
    long size = 3 * MIB + 1536;
    Path img = dir.resolve("snap.qcow2");
    switch (start) {
      case "compressed" -> {
        Path raw = ImageBuilder.raw(dir, "src.raw",
            TestData.mixed(options.hashCode(), (int) size, 4096));
        String type = options.contains("zstd") ? "zstd" : "zlib";
        ImageBuilder.compress(raw, "raw", img, type,
            options.replaceAll(",?compression_type=[a-z]+", ""));
      }
      case "qcow2 backing", "raw backing" -> {
        String format = start.startsWith("raw") ? "raw" : "qcow2";
        Path base = ImageBuilder.raw(dir, "base.raw",
            TestData.mixed(options.hashCode(), (int) (2 * MIB), 4096));
        if (format.equals("qcow2")) {
          Qemu.img("convert", "-f", "raw", "-O", "qcow2", base.toString(),
              dir.resolve("base.qcow2").toString());
        }
        ImageBuilder.qcow2(dir, "snap.qcow2").size(size).options(options)
            .backing("base." + format, format).create();
      }
      default -> ImageBuilder.qcow2(dir, "snap.qcow2").size(size).options(options).create();
    }
    Qemu.io(img, "write -P 0x11 0 300000", "write -P 0x12 " + (size - 5000) + " 5000");
    ImageBuilder.snapshot(img, "first");
    Qemu.io(img, "write -P 0x21 100000 50000", "write -z 200000 100000",
        "discard " + (2 * MIB) + " " + MIB, "write -P 0x22 " + (size - 1) + " 1");
    ImageBuilder.snapshot(img, "second one");
    long grown = size;
    if (v3) {
      grown = size + MIB + 512;
      Qemu.img("resize", "-f", "qcow2", img.toString(), Long.toString(grown));
    }
    Qemu.io(img, "write -P 0x31 0 4096", "write -P 0x32 " + (grown - 3000) + " 3000",
        "write -z 250000 4096");
    ImageBuilder.snapshot(img, "third");
    Qemu.io(img, "write -P 0x41 8192 70000", "discard 0 65536");

    String label = options + " " + start;
    QemuOracle.assertReadsLikeQemu(img, dir, label);
    QemuOracle.assertSnapshotReadsLikeQemu(img, "first", size, dir, label);
    QemuOracle.assertSnapshotReadsLikeQemu(img, "second one", size, dir, label);
    QemuOracle.assertSnapshotReadsLikeQemu(img, "third", grown, dir, label);
    QemuOracle.assertSnapshotReadsLikeQemu(img, "2", "snapshot.id=2", size, dir, label);
  }
}
