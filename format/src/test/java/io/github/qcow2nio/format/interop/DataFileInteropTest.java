package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * External data files ({@code data_file=}), with and without data_file_raw, with standard and
 * extended L2 entries, preallocated and not, and a qcow2 backing file where QEMU allows one.
 *
 * <p>The data file is named by absolute path: qemu-img 7.2 resolves a relative data_file name
 * against its working directory, not the image's directory, at create and at open alike.
 */
@Tag("qemu")
class DataFileInteropTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  static Stream<Arguments> matrix() {
    return Stream.of(
        Arguments.of("cluster_size=65536", false),
        Arguments.of("cluster_size=65536,data_file_raw=on", false),
        Arguments.of("cluster_size=512", false),
        Arguments.of("cluster_size=4096,data_file_raw=on", false),
        Arguments.of("cluster_size=2097152", false),
        Arguments.of("cluster_size=65536,extended_l2=on", false),
        Arguments.of("cluster_size=16384,extended_l2=on,data_file_raw=on", false),
        Arguments.of("cluster_size=65536,preallocation=metadata", false),
        Arguments.of("cluster_size=65536,preallocation=full", false),
        Arguments.of("cluster_size=4096", true),
        Arguments.of("cluster_size=65536,extended_l2=on", true));
  }

  @ParameterizedTest(name = "{0} backing={1}")
  @MethodSource("matrix")
  void dataFileReadsLikeQemu(String options, boolean backing) throws Exception {
    Qemu.assumeAvailable();
    long size = 4 * MIB + 1536;
    if (backing) {
      ImageBuilder.qcow2(dir, "base.qcow2").size(3 * MIB)
          .io("write -P 0x71 0 " + (3 * MIB), "write -z 65536 65536").create();
    }
    ImageBuilder b = ImageBuilder.qcow2(dir, "img.qcow2").size(size).options(options)
        .option("data_file", dir.resolve("img.data"));
    if (backing) {
      b.backing("base.qcow2", "qcow2");
    }
    Path img = b.io(
        "write -P 0x11 1000 200000",
        "write -P 0x12 " + (MIB - 300) + " 600",
        "write -z " + (MIB + 65536) + " 131072",
        "write -z -u " + (MIB + 262144) + " 131072",
        "discard " + (2 * MIB) + " 262144",
        "write -P 0x13 " + (size - 1) + " 1").create();
    QemuOracle.assertReadsLikeQemu(img, dir, options + " backing=" + backing);
  }
}
