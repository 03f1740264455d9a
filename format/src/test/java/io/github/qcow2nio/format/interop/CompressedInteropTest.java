package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Compressed clusters (deflate and zstd) as qemu-img convert -c writes them: clusters of every
 * compressed length, packed so they straddle host clusters, the last one ending near EOF, a
 * partial last cluster; then the same image after qemu-io overwrote, zeroed and discarded some
 * compressed clusters; and compressed clusters in an overlay over a backing file.
 */
@Tag("qemu")
class CompressedInteropTest {
  @TempDir Path dir;

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (String type : new String[] {"zlib", "zstd"}) {
      for (int cluster : LayoutInteropTest.CLUSTER_SIZES) {
        cases.add(Arguments.of(type, "1.1", cluster, false, 16));
      }
      cases.add(Arguments.of(type, "1.1", 65536, true, 16));
      cases.add(Arguments.of(type, "1.1", 2 << 20, true, 16));
    }
    cases.add(Arguments.of("zlib", "0.10", 512, false, 16));
    cases.add(Arguments.of("zlib", "0.10", 65536, false, 16));
    // Narrow refcounts cap how many compressed clusters share a host cluster (1 with 1-bit
    // refcounts), which changes how QEMU packs them.
    cases.add(Arguments.of("zlib", "1.1", 4096, false, 1));
    cases.add(Arguments.of("zstd", "1.1", 65536, false, 2));
    return cases.stream();
  }

  /** Guest data whose clusters compress to every size, the last partial cluster included. */
  static byte[] sourceData(int cluster, long seed) {
    int block = Math.min(cluster, 65536);
    int clusters = cluster >= (2 << 20) ? 3 : (3 << 20) / cluster;
    int size = clusters * cluster + Math.max(512, cluster / 2);
    byte[] data = TestData.mixed(seed, size, block);
    // The partial last cluster: half random, half repeated, so it is stored compressed and its
    // stream is the last thing in the file.
    int lastStart = clusters * cluster;
    byte[] tail = TestData.random(seed + 1, (size - lastStart) / 2);
    System.arraycopy(tail, 0, data, lastStart, tail.length);
    Arrays.fill(data, lastStart + tail.length, size, (byte) 0x3c);
    return data;
  }

  @ParameterizedTest(
      name = "compression_type={0} compat={1} cluster_size={2} extended_l2={3} refcount_bits={4}")
  @MethodSource("matrix")
  void convertedCompressed(String type, String compat, int cluster, boolean extendedL2,
      int refcountBits) throws Exception {
    Qemu.assumeAvailable();
    String label = "compression_type=" + type + " compat=" + compat + " cluster_size=" + cluster
        + " extended_l2=" + extendedL2 + " refcount_bits=" + refcountBits;
    byte[] data = sourceData(cluster, cluster * 31L + type.hashCode());
    Path raw = ImageBuilder.raw(dir, "source.raw", data);
    String options = "compat=" + compat + ",cluster_size=" + cluster
        + (extendedL2 ? ",extended_l2=on" : "") + (refcountBits != 16
        ? ",refcount_bits=" + refcountBits : "");
    Path img = ImageBuilder.compress(raw, "raw", dir.resolve("compressed.qcow2"), type, options);
    assertTrue(compressedClusters(img) >= 3, label + ": fixture has too few compressed clusters");
    QemuOracle.assertReadsLikeQemu(img, dir, label);

    // The last compressed stream's sectors cut short by EOF: qemu-img still finds the image
    // consistent and reads the missing bytes as zeros.
    Path cut = dir.resolve("cut.qcow2");
    if (ImageBuilder.cutLastCompressedStream(img, cut) > 0) {
      Qemu.img("check", "-q", cut.toString());
      QemuOracle.assertReadsLikeQemu(cut, dir, label + " cut at EOF");
    }

    // Rewrite some compressed clusters: partly (a normal cluster now), zeroed, discarded.
    long c = cluster;
    long size = data.length;
    List<String> cmds = new ArrayList<>(List.of(
        "write -P 0x42 " + (c + 100) + " 300",
        "write -P 0x43 " + (size - 3) + " 3"));
    addInside(cmds, size, "discard " + (4 * c) + " " + c);
    if (compat.equals("1.1")) {
      addInside(cmds, size, "write -z " + (2 * c) + " " + c);
      addInside(cmds, size, "write -z -u " + (6 * c) + " " + c);
      if (extendedL2) {
        addInside(cmds, size, "write -z " + (8 * c + c / 32) + " " + c / 16);
        addInside(cmds, size, "write -z " + (2 * c - c / 16) + " " + c / 8);
      }
    }
    Qemu.io(img, cmds.toArray(String[]::new));
    QemuOracle.assertReadsLikeQemu(img, dir, label + " after rewrites");
  }

  /** How many compressed clusters qemu-img check counts: the fixture must really have them. */
  static long compressedClusters(Path img) throws IOException {
    Matcher m = Pattern.compile("\"compressed-clusters\": (\\d+)")
        .matcher(Qemu.img("check", "--output=json", img.toString()));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Adds a qemu-io command "op offset length" when its range lies inside the disk. */
  private static void addInside(List<String> cmds, long size, String cmd) {
    String[] words = cmd.split(" ");
    long offset = Long.parseLong(words[words.length - 2]);
    long length = Long.parseLong(words[words.length - 1]);
    if (offset + length <= size) {
      cmds.add(cmd);
    }
  }

  static Stream<Arguments> overBacking() {
    List<Arguments> cases = new ArrayList<>();
    for (String type : new String[] {"zlib", "zstd"}) {
      for (String backingFormat : new String[] {"qcow2", "raw"}) {
        cases.add(Arguments.of(type, backingFormat, 4096));
        cases.add(Arguments.of(type, backingFormat, 65536));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "compression_type={0} over {1} backing, cluster_size={2}")
  @MethodSource("overBacking")
  void compressedOverBacking(String type, String backingFormat, int cluster) throws Exception {
    Qemu.assumeAvailable();
    long seed = cluster * 7L + type.hashCode() + backingFormat.hashCode();
    int baseSize = 2 << 20;
    byte[] base = TestData.mixed(seed, baseSize, 4096);
    Path backing = ImageBuilder.raw(dir, "base.raw", base);
    if (backingFormat.equals("qcow2")) {
      backing = ImageBuilder.compress(backing, "raw", dir.resolve("base.qcow2"), type,
          "cluster_size=" + cluster);
    }
    // Half-random clusters written compressed from a pattern file; the overlay is longer than
    // its backing file.
    Path pattern = ImageBuilder.raw(dir, "pattern.bin", TestData.mixed(seed + 1, cluster, 512));
    long c = cluster;
    long size = 3L << 20;
    List<String> cmds = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 12; i++) {
      long at = rnd.nextLong(size / c) * c;
      cmds.add((i % 3 == 0 ? "write -c -P " + (0x10 + i) + " " : "write -c -s " + pattern + " ")
          + at + " " + c);
    }
    cmds.add("write -c -s " + pattern + " " + (size - c) + " " + c);
    cmds.add("write -P 0x61 " + (baseSize - 1000) + " 2000");
    cmds.add("write -z " + (10 * c + 512) + " " + (2 * c));
    Path img = ImageBuilder.qcow2(dir, "overlay.qcow2").size(size)
        .option("compression_type", type).option("cluster_size", cluster)
        .backing(backing.getFileName().toString(), backingFormat)
        .create();
    // write -c refuses clusters that are already allocated; run each write on its own so a
    // repeated random cluster only skips that write.
    for (String cmd : cmds) {
      Qemu.run(List.of("qemu-io", "-f", "qcow2", "-c", cmd, img.toString()));
    }
    assertTrue(compressedClusters(img) >= 3, "fixture has too few compressed clusters");
    QemuOracle.assertReadsLikeQemu(img, dir,
        "compression_type=" + type + " over " + backingFormat + " cluster_size=" + cluster);
  }
}
