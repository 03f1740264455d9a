package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Backing chains as qemu-img builds them: qcow2 and raw backing files shorter and longer than the
 * overlay, three and four levels, names relative to each image's own directory, backing formats
 * recorded and left for the reader to probe, layers with different cluster sizes and versions,
 * and overlay zero clusters and discards hiding backing data.
 */
@Tag("qemu")
class BackingChainInteropTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  /** Builds a chain in a directory and returns its top image. */
  interface Chain {
    Path build(Path dir) throws IOException;
  }

  /** A raw file of seeded mixed data. */
  static Path raw(Path dir, String name, long size) throws IOException {
    return ImageBuilder.raw(dir, name, TestData.mixed(name.hashCode() ^ size, (int) size, 4096));
  }

  /** A fully written qcow2 image (every nonzero cluster allocated) of seeded mixed data. */
  static Path qcow2(Path dir, String name, long size, String options) throws IOException {
    Path raw = raw(dir, name + ".src", size);
    Path img = dir.resolve(name);
    Qemu.img("convert", "-f", "raw", "-O", "qcow2", "-o", options.isEmpty() ? "compat=1.1"
        : options, raw.toString(), img.toString());
    Files.delete(raw);
    return img;
  }

  /** Overlay writes that leave some clusters unallocated, some data, some zero. */
  static String[] overlayWrites(long size) {
    return new String[] {
        "write -P 0xa1 0 70000",
        "write -P 0xa2 " + (MIB - 5000) + " 10000",
        "write -z " + (MIB + 65536) + " 131072",
        "write -z -u " + (MIB + 327680) + " 65536",
        "write -z " + (MIB + 400000) + " 1000",
        "discard " + (2 * MIB) + " 131072",
        "write -P 0xa3 " + (size - 700) + " 700"};
  }

  static Stream<Named<Chain>> chains() {
    return Stream.of(
        Named.of("qcow2 backing shorter than overlay", d -> {
          qcow2(d, "base.qcow2", 2 * MIB + 512, "");
          return ImageBuilder.qcow2(d, "top.qcow2").size(4 * MIB + 1536)
              .backing("base.qcow2", "qcow2").io(overlayWrites(4 * MIB + 1536)).create();
        }),
        Named.of("qcow2 backing longer than overlay", d -> {
          qcow2(d, "base.qcow2", 6 * MIB, "");
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB + 2560)
              .backing("base.qcow2", "qcow2").io(overlayWrites(3 * MIB + 2560)).create();
        }),
        Named.of("raw backing shorter than overlay, not sector-aligned", d -> {
          raw(d, "base.raw", 2 * MIB + 777);
          return ImageBuilder.qcow2(d, "top.qcow2").size(4 * MIB)
              .backing("base.raw", "raw").io(overlayWrites(4 * MIB)).create();
        }),
        Named.of("raw backing longer than overlay", d -> {
          raw(d, "base.raw", 5 * MIB);
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB + 512)
              .backing("base.raw", "raw").io(overlayWrites(3 * MIB + 512)).create();
        }),
        Named.of("three qcow2 levels, different cluster sizes", d -> {
          qcow2(d, "base.qcow2", 3 * MIB, "cluster_size=4096");
          ImageBuilder.qcow2(d, "mid.qcow2").size(4 * MIB).option("cluster_size", 65536)
              .backing("base.qcow2", "qcow2")
              .io("write -P 0xb1 " + (MIB / 2) + " " + MIB, "write -z " + (2 * MIB) + " 300000",
                  "write -P 0xb2 " + (4 * MIB - 3000) + " 3000")
              .create();
          return ImageBuilder.qcow2(d, "top.qcow2").size(4 * MIB + 512)
              .option("cluster_size", 512).backing("mid.qcow2", "qcow2")
              .io(overlayWrites(4 * MIB + 512)).create();
        }),
        Named.of("four levels over raw, v2 and v3 mixed", d -> {
          raw(d, "base.raw", 3 * MIB);
          ImageBuilder.qcow2(d, "l1.qcow2").size(3 * MIB).option("compat", "0.10")
              .backing("base.raw", "raw").io("write -P 0xc1 100000 200000").create();
          ImageBuilder.qcow2(d, "l2.qcow2").size(3 * MIB + 65536)
              .option("extended_l2", "on").backing("l1.qcow2", "qcow2")
              .io("write -P 0xc2 150000 3000", "write -z 250000 8192").create();
          return ImageBuilder.qcow2(d, "top.qcow2").size(4 * MIB).option("cluster_size", 4096)
              .backing("l2.qcow2", "qcow2").io(overlayWrites(4 * MIB)).create();
        }),
        Named.of("relative names across directories", d -> {
          Path baseDir = Files.createDirectories(d.resolve("base"));
          Path midDir = Files.createDirectories(d.resolve("images/mid"));
          qcow2(baseDir, "base.qcow2", 3 * MIB, "");
          ImageBuilder.qcow2(midDir, "mid.qcow2").size(3 * MIB)
              .backing("../../base/base.qcow2", "qcow2").io("write -P 0xd1 500000 100000")
              .create();
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("images/mid/mid.qcow2", "qcow2").io(overlayWrites(3 * MIB)).create();
        }),
        Named.of("backing format not stored, qcow2 probed", d -> {
          qcow2(d, "base.qcow2", 3 * MIB, "");
          Path top = ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base.qcow2", "qcow2").io(overlayWrites(3 * MIB)).create();
          ImageBuilder.forgetBackingFormat(top);
          return top;
        }),
        Named.of("backing format not stored, raw probed", d -> {
          raw(d, "base.raw", 3 * MIB);
          Path top = ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base.raw", "raw").io(overlayWrites(3 * MIB)).create();
          ImageBuilder.forgetBackingFormat(top);
          return top;
        }),
        Named.of("qcow2 file used as a raw backing file (recorded format wins over probing)", d -> {
          qcow2(d, "base.qcow2", 2 * MIB, "");
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base.qcow2", "raw").io(overlayWrites(3 * MIB)).create();
        }),
        Named.of("v2 overlay without zero clusters over qcow2", d -> {
          qcow2(d, "base.qcow2", 3 * MIB, "compat=0.10");
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB).option("compat", "0.10")
              .backing("base.qcow2", "qcow2")
              .io("write -P 0xe1 0 70000", "write -z 1048576 131072",
                  "write -P 0xe3 " + (3 * MIB - 700) + " 700")
              .create();
        }),
        Named.of("absolute backing name", d -> {
          Path base = qcow2(d, "base.qcow2", 3 * MIB, "");
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing(base.toAbsolutePath().toString(), "qcow2").io(overlayWrites(3 * MIB))
              .create();
        }),
        // QEMU takes a name with a protocol prefix as is, never relative to the image: a
        // relative "file:" name resolves against qemu's working directory, so only an absolute
        // one means the same file to every reader.
        Named.of("absolute backing name with the file: protocol prefix", d -> {
          Path base = qcow2(d, "base.qcow2", 3 * MIB, "");
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("file:" + base.toAbsolutePath(), "qcow2").io(overlayWrites(3 * MIB))
              .create();
        }),
        Named.of("backing image with an external data file", d -> {
          ImageBuilder.qcow2(d, "base.qcow2").size(3 * MIB)
              .option("data_file", d.resolve("base.data").toAbsolutePath())
              .io("write -P 0xf1 0 " + (3 * MIB), "write -z 65536 65536").create();
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base.qcow2", "qcow2").io(overlayWrites(3 * MIB)).create();
        }),
        Named.of("empty overlay over qcow2", d -> {
          qcow2(d, "base.qcow2", 3 * MIB, "cluster_size=2097152");
          return ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base.qcow2", "qcow2").create();
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chains")
  void chainReadsLikeQemu(Chain chain, TestInfo test) throws Exception {
    Qemu.assumeAvailable();
    Path top = chain.build(dir);
    QemuOracle.assertReadsLikeQemu(top, dir, test.getDisplayName());
  }
}
