package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Targeted write-path behaviour: table growth, reuse, header preservation, refusals. */
class WriteBasicsTest {
  @TempDir Path dir;

  @Test
  void refcountTableGrowsAndDescribesItself() throws Exception {
    Path img = dir.resolve("g.qcow2");
    byte[] data = new byte[6 << 20];
    new Random(5).nextBytes(data);
    long oldTable;
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(6 << 20)
        .clusterSize(512).refcountBits(64).build())) {
      oldTable = image.header().refcountTableOffset();
      image.disk().write(ByteBuffer.wrap(data), 0);
      // 64 entries of 64 clusters cover 2 MiB: the table had to move at least once.
      assertNotEquals(oldTable, image.header().refcountTableOffset());
      assertTrue(image.header().refcountTableClusters() > 1);
    }
    if (Qemu.available()) {
      RandomOps.assertQemuAgrees(img, data, dir, "refcount table growth");
    }
  }

  @Test
  void l1TableGrowsOnResizeAndTheOldOneIsFreed() throws Exception {
    Path img = dir.resolve("l1.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(64 << 10)
        .clusterSize(512).build())) {
      image.disk().write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 1000);
      assertEquals(2, image.header().l1Size());
      image.disk().resize(3 << 20);
      // 512-byte clusters: one L2 table maps 32 KiB, so 3 MiB needs 96 entries.
      assertEquals(96, image.header().l1Size());
      image.disk().write(ByteBuffer.wrap(new byte[] {4}), (3 << 20) - 1);
      ByteBuffer b = ByteBuffer.allocate(3);
      image.disk().read(b, 1000);
      assertArrayEquals(new byte[] {1, 2, 3}, b.array());
    }
    if (Qemu.available()) {
      CreateTest.assertCheckClean(img);
      assertTrue(Qemu.img("info", img.toString()).contains("3 MiB"));
    }
  }

  @Test
  void freedClustersAreReused() throws Exception {
    Path img = dir.resolve("r.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.defaults(8 << 20))) {
      byte[] data = new byte[4 << 20];
      Arrays.fill(data, (byte) 7);
      image.disk().write(ByteBuffer.wrap(data), 0);
      image.disk().flush();
      long size = Files.size(img);
      image.disk().discard(0, 4 << 20);
      image.disk().flush();
      image.disk().write(ByteBuffer.wrap(data), 4 << 20);
      image.disk().flush();
      assertEquals(size, Files.size(img), "the discarded clusters were not reused");
    }
  }

  @Test
  void headerFieldsAndUnknownExtensionsSurviveWrites() throws Exception {
    Path img = dir.resolve("h.qcow2");
    Qcow2Image.create(img, CreateOptions.builder(1 << 20).compressionType(1)
        .lazyRefcounts(true).build()).close();
    // Insert an unknown extension before the end marker (feature table ends at 504).
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(504);
      f.writeInt(0x12345678);
      f.writeInt(5);
      f.write(new byte[] {1, 2, 3, 4, 5, 0, 0, 0});
      f.writeLong(0);
    }
    byte[] before = Arrays.copyOf(Files.readAllBytes(img), 65536);
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      image.disk().write(ByteBuffer.wrap(new byte[70000]), 12345);
      image.disk().resize(700L << 20);
      image.disk().writeZeros(0, 1 << 20);
      assertEquals(1, image.extensions().unknown().size());
    }
    byte[] after = Arrays.copyOf(Files.readAllBytes(img), 65536);
    // Only the size (24..31) and the L1 table fields (36..47) may differ.
    for (int i = 0; i < before.length; i++) {
      if ((i >= 24 && i < 32) || (i >= 36 && i < 48)) {
        continue;
      }
      assertEquals(before[i], after[i], "cluster 0 byte " + i + " changed");
    }
    if (Qemu.available()) {
      CreateTest.assertCheckClean(img);
      String info = Qemu.img("info", img.toString());
      assertTrue(info.contains("compression type: zstd") && info.contains("lazy refcounts: true"),
          info);
    }
  }

  @Test
  void refusals() throws Exception {
    Path img = dir.resolve("x.qcow2");
    Qcow2Image.create(img, CreateOptions.defaults(1 << 20)).close();
    try (Qcow2Image ro = Qcow2Image.open(img)) {
      assertThrows(ReadOnlyDiskException.class,
          () -> ro.disk().write(ByteBuffer.wrap(new byte[1]), 0));
      assertTrue(!ro.disk().isWritable());
    }
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      assertTrue(image.disk().isWritable());
      image.disk().write(ByteBuffer.wrap(new byte[] {1}), 300000);
      assertThrows(Qcow2Exception.class, () -> image.disk().resize(1000));
      assertThrows(Qcow2Exception.class, () -> image.disk().resize(64 << 10));
      assertThrows(IllegalArgumentException.class,
          () -> image.disk().write(ByteBuffer.wrap(new byte[2]), (1 << 20) - 1));
      image.disk().resize(64 << 10, true);
      assertEquals(64 << 10, image.disk().size());
      image.disk().resize(1 << 20);
      ByteBuffer b = ByteBuffer.allocate(1);
      image.disk().read(b, 300000);
      assertEquals(0, b.get(0), "data past a shrink came back");
    }
    if (Qemu.available()) {
      CreateTest.assertCheckClean(img);
    }
  }
}
