package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.CompressedWriter;
import io.github.qcow2nio.format.disk.CompressingDisk;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed clusters we write, judged by qemu-img: they read back exactly through {@code
 * qemu-img convert}, pass {@code qemu-img check} without errors or leaks, show as compressed in
 * {@code qemu-img map} (data without a host offset), and take within 2% of the space {@code
 * qemu-img convert -c} takes for the same data, for deflate and zstd, over the option matrix.
 *
 * <p>{@code -Dqcow2.compressMiB=N} sets the size of the mixed data compared with {@code qemu-img
 * convert -c} (default 6).
 */
@Tag("qemu")
class CompressedWriteTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "compression type {0}")
  @ValueSource(ints = {0, 1})
  void withinTwoPercentOfQemuConvert(int type) throws Exception {
    Qemu.assumeAvailable();
    byte[] data = CompressedImages.realisticMix(20261126L, Knobs.COMPRESS_MIB << 20);
    Path raw = dir.resolve("in.raw");
    Files.write(raw, data);
    Path theirs = dir.resolve("qemu.qcow2");
    Qemu.img("convert", "-c", "-f", "raw", "-O", "qcow2", "-o",
        "compression_type=" + (type == 1 ? "zstd" : "zlib"), raw.toString(), theirs.toString());
    Path ours = dir.resolve("ours.qcow2");
    try (Qcow2Image image = Qcow2Image.create(ours,
        CreateOptions.builder(data.length).compressionType(type).build());
        CompressedWriter w = CompressedWriter.open((Qcow2Disk) image.disk())) {
      // Odd-sized pieces: clusters are gathered across calls.
      for (int at = 0; at < data.length; at += 100_003) {
        w.write(ByteBuffer.wrap(data, at, Math.min(100_003, data.length - at)));
      }
    }
    long q = Files.size(theirs);
    long o = Files.size(ours);
    double ratio = (double) o / q;
    System.out.printf("compression type %d: qemu-img convert -c %d bytes, ours %d bytes"
        + " (%.4f) for %d bytes of mixed data; compressed streams: qemu %d bytes in %d clusters,"
        + " ours %d bytes in %d clusters%n", type, q, o, ratio, data.length,
        streamBytes(theirs), CompressedImages.descriptors(theirs).size(), streamBytes(ours),
        CompressedImages.descriptors(ours).size());
    assertTrue(Math.abs(ratio - 1) <= 0.02, "ours " + o + " vs qemu " + q);
    // The file sizes move in whole clusters; the streams themselves must be as small as QEMU's.
    long qs = streamBytes(theirs);
    long os = streamBytes(ours);
    assertTrue(Math.abs((double) os / qs - 1) <= 0.02, "streams: ours " + os + " vs qemu " + qs);
    assertAgrees(ours, data, "type " + type);
    assertTrue(CompressedImages.descriptors(ours).size() > 10, "clusters stored compressed");
    long mappedCompressed = QemuImg.map(ours).stream()
        .filter(e -> e.data() && e.offset() < 0).mapToLong(QemuImg.MapEntry::length).sum();
    assertTrue(mappedCompressed > data.length / 4, "qemu-img map shows compressed data");
  }

  static Stream<Arguments> options() {
    List<Arguments> a = new ArrayList<>();
    long mb = 1 << 20;
    CreateOptions d = CreateOptions.defaults(2 * mb);
    a.add(Arguments.of("v3 64k", d, false));
    a.add(Arguments.of("v2 64k", d.toBuilder().version(2).build(), false));
    a.add(Arguments.of("v3 512", CreateOptions.builder(mb / 2).clusterSize(512).build(), false));
    a.add(Arguments.of("v3 2M", CreateOptions.builder(6 * mb + 4096).clusterSize(2 << 20).build(),
        false));
    for (int bits : new int[] {1, 2, 4, 8, 32, 64}) {
      a.add(Arguments.of("refcount " + bits + " 4k", CreateOptions.defaults(mb)
          .toBuilder().clusterSize(4096).refcountBits(bits).build(), false));
    }
    a.add(Arguments.of("extended l2 16k", CreateOptions.builder(mb).clusterSize(16384).extendedL2(true).build(), false));
    a.add(Arguments.of("extended l2 64k zstd", d.toBuilder().extendedL2(true).compressionType(1).build(),
        false));
    a.add(Arguments.of("lazy refcounts", d.toBuilder().lazyRefcounts(true).build(), false));
    a.add(Arguments.of("zstd 4k v3", CreateOptions.builder(mb).clusterSize(4096).compressionType(1).build(), false));
    a.add(Arguments.of("backing qcow2 8k", CreateOptions.defaults(mb + 3000 * 512)
        .toBuilder().clusterSize(8192).build(), true));
    return a.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("options")
  void everyLayoutPassesQemuImgCheck(String name, CreateOptions options, boolean backing)
      throws Exception {
    Qemu.assumeAvailable();
    int cluster = options.clusterSize();
    byte[] data = CompressedImages.varied(name.hashCode(), (int) options.size(), cluster);
    CreateOptions o = options;
    if (backing) {
      Path base = dir.resolve("base.qcow2");
      Qemu.img("create", "-q", "-f", "qcow2", base.toString(), Long.toString(options.size()));
      Qemu.io(base, "write -P 0x77 0 " + options.size());
      o = o.toBuilder().backingFile("base.qcow2").backingFormat("qcow2").build();
    }
    Path img = dir.resolve("img.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, o);
        CompressedWriter w = CompressedWriter.open((Qcow2Disk) image.disk(), 0, 2)) {
      w.write(ByteBuffer.wrap(data));
    }
    assertAgrees(img, data, name);
    List<CompressedDescriptor> ds = CompressedImages.descriptors(img);
    long clusters = (options.size() + cluster - 1) / cluster;
    assertTrue(ds.size() >= clusters / 2, name + ": " + ds.size() + " of " + clusters
        + " clusters stored compressed");
    if (options.refcountBits() > 1 && cluster > 512) {
      // QEMU's packing lets streams run into the next host cluster; they must be refcounted too.
      assertTrue(CompressedImages.straddling(ds, Integer.numberOfTrailingZeros(cluster)) > 0,
          name + ": some compressed clusters straddle two host clusters");
    }
  }

  @Test
  void overAnExistingImageOnlyUnallocatedClustersAreCompressed() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("q.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "2M");
    Qemu.io(img, "write -c -P 0x31 0 128k", "write -P 0x32 256k 128k", "write -z 512k 64k");
    Qemu.img("snapshot", "-c", "s1", img.toString());
    byte[] s1 = Qemu.rawContents(img, dir);
    byte[] data = new byte[2 << 20];
    // Every cluster compressible: a text-like pattern.
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) ("qcow2 ".charAt(i % 6) + (i >>> 16));
    }
    try (Qcow2Image image = Qcow2Image.open(new PathLocation(img), OpenOptions.readWrite());
        CompressedWriter w = CompressedWriter.open((Qcow2Disk) image.disk())) {
      w.write(ByteBuffer.wrap(data));
    }
    assertAgrees(img, data, "existing image");
    try (Qcow2Image image = Qcow2Image.open(img)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      // Allocated clusters (the snapshot shares them) were written normally, the rest compressed.
      assertEquals(ClusterType.NORMAL, disk.blockStatus(0, 65536).type());
      assertEquals(ClusterType.NORMAL, disk.blockStatus(256 << 10, 65536).type());
      assertEquals(ClusterType.COMPRESSED, disk.blockStatus(512 << 10, 65536).type());
      assertEquals(ClusterType.COMPRESSED, disk.blockStatus(1 << 20, 65536).type());
    }
    Path snap = dir.resolve("s1.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=s1", img.toString(), snap.toString());
    assertArrayEquals(s1, Files.readAllBytes(snap), "the snapshot kept its data");
  }

  @Test
  void compressedWritesMarkPersistentBitmapsDirty() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("b.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "1M");
    Qemu.img("bitmap", "--add", "-g", "65536", img.toString(), "on");
    byte[] data = CompressedImages.compressible(new Random(4), 256 << 10, 1024);
    byte[] one = CompressedImages.compressible(new Random(5), 65536, 1024);
    try (Qcow2Image image = Qcow2Image.open(new PathLocation(img), OpenOptions.readWrite())) {
      try (CompressedWriter w = CompressedWriter.open((Qcow2Disk) image.disk(), 256 << 10, 1)) {
        w.write(ByteBuffer.wrap(data));
      }
      try (CompressingDisk f = new CompressingDisk((Qcow2Disk) image.disk(), 1)) {
        f.write(ByteBuffer.wrap(one), 768 << 10);
      }
      assertEquals(ClusterType.COMPRESSED, image.disk().blockStatus(768 << 10, 65536).type());
    }
    java.util.BitSet expected = new java.util.BitSet();
    expected.set(4, 8);
    expected.set(12);
    assertEquals(expected, BitmapWriteTest.readBitmaps(img).get("on"));
    byte[] model = new byte[1 << 20];
    System.arraycopy(data, 0, model, 256 << 10, data.length);
    System.arraycopy(one, 0, model, 768 << 10, one.length);
    assertAgrees(img, model, "bitmaps");
  }

  /** The fault sweep's compressed workload really packs, straddles and fills host clusters. */
  @Test
  void theFaultSweepWorkloadExercisesPacking() throws Exception {
    Qemu.assumeAvailable();
    FaultSweep.Scenario s = FaultSweepTest.scenario("compressed writes", dir);
    Path img = dir.resolve("sweep.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, s.create())) {
      // Stop before the steps that overwrite and discard compressed clusters.
      for (FaultStep step : s.steps().subList(0, 3)) {
        step.apply(image);
      }
    }
    List<CompressedDescriptor> ds = CompressedImages.descriptors(img);
    assertTrue(ds.size() >= 10, ds.size() + " compressed clusters");
    assertTrue(CompressedImages.straddling(ds, 12) > 0, "a stream straddles two host clusters");
    // 2-bit refcounts: a host cluster holds at most three streams.
    long fullClusters = ds.stream().collect(java.util.stream.Collectors.groupingBy(
        d -> d.offset() >>> 12, java.util.stream.Collectors.counting())).values().stream()
        .filter(n -> n >= 3).count();
    assertTrue(fullClusters > 0, "some host cluster reached the refcount maximum");
    assertTrue(QemuImg.check(img).consistent(false));
  }

  @Test
  void externalDataFilesAreRefusedAsQemuRefuses() throws Exception {
    Path img = dir.resolve("d.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.defaults(1 << 20)
        .toBuilder().dataFile(dir.resolve("d.data").toString()).dataFileRaw(false).build())) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> CompressedWriter.open((Qcow2Disk) image.disk()));
      assertTrue(e.getMessage().contains("Operation not supported"), e.getMessage());
      assertThrows(UnsupportedImageException.class, () -> new CompressingDisk((Qcow2Disk) image.disk()));
    }
  }

  @Test
  void theCompressFilterStoresWholeUnallocatedClustersCompressed() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("f.qcow2");
    int size = 3 << 20;
    byte[] model = new byte[size];
    Random r = new Random(11);
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.defaults(size)
        .toBuilder().clusterSize(16384).build());
        CompressingDisk disk = new CompressingDisk((Qcow2Disk) image.disk(), 2)) {
      // A long write of whole clusters, compressed in parallel.
      byte[] text = CompressedImages.realisticMix(3, 1 << 20);
      disk.write(ByteBuffer.wrap(text), 0);
      System.arraycopy(text, 0, model, 0, text.length);
      for (int i = 0; i < 300; i++) {
        int off = r.nextBoolean() ? r.nextInt(size / 16384) * 16384 : r.nextInt(size);
        int len = Math.min(size - off, r.nextBoolean() ? 16384 * (1 + r.nextInt(4))
            : 1 + r.nextInt(40000));
        byte[] b = new byte[len];
        for (int k = 0; k < len; k++) {
          b[k] = (byte) (r.nextInt(4) == 0 ? r.nextInt() : k / 100);
        }
        disk.write(ByteBuffer.wrap(b), off);
        System.arraycopy(b, 0, model, off, len);
        if (i % 50 == 0) {
          int at = r.nextInt(size / 16384 - 4) * 16384;
          disk.discard(at, 16384 * 4L);
          java.util.Arrays.fill(model, at, at + 4 * 16384, (byte) 0);
          readAll(disk.disk(), model);
        }
      }
      readAll(disk.disk(), model);
      Qcow2Disk q = (Qcow2Disk) image.disk();
      boolean anyCompressed = false;
      for (long c = 0; c < size; c += 16384) {
        anyCompressed |= q.blockStatus(c, 16384).type() == ClusterType.COMPRESSED;
      }
      assertTrue(anyCompressed);
    }
    assertAgrees(img, model, "compress filter");
  }

  /** The bytes the compressed clusters' descriptors cover (sector granular, as refcounted). */
  private static long streamBytes(Path img) throws IOException {
    return CompressedImages.descriptors(img).stream().mapToLong(d -> d.readLength()).sum();
  }

  private static void readAll(VirtualDisk disk, byte[] model) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(model.length);
    disk.read(b, 0);
    assertArrayEquals(model, b.array());
  }

  /** Our reader, qemu-img convert and compare see {@code data}; qemu-img check is clean. */
  private void assertAgrees(Path img, byte[] data, String what) throws IOException {
    QemuImg.Check c = QemuImg.check(img);
    assertTrue(c.consistent(false), what + ": qemu-img check: " + c.output());
    assertArrayEquals(data, Qemu.rawContents(img, dir), what + ": qemu-img convert");
    try (Qcow2Image image = Qcow2Image.open(img)) {
      readAll(image.disk(), data);
    }
  }
}
