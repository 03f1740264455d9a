package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dirty images, the dirty bit of lazy refcounts, the corrupt bit, autoclear bits. */
@Tag("qemu")
class OpenForWriteTest {
  @TempDir Path dir;

  private static long incompatible(Path img) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
      f.seek(72);
      return f.readLong();
    }
  }

  @Test
  void dirtyImageLeftByQemuIsRepairedOnWritableOpen() throws Exception {
    Qemu.assumeAvailable();
    for (String opts : new String[] {"lazy_refcounts=on",
        "lazy_refcounts=on,cluster_size=4096,refcount_bits=64",
        "lazy_refcounts=on,extended_l2=on", "lazy_refcounts=on,cluster_size=4096,refcount_bits=1"}) {
      Path img = dir.resolve("dirty.qcow2");
      Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "4M");
      // qemu-io killed by a signal never clears the dirty bit nor writes the refcounts.
      Qemu.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 1 0 20k", "-c",
          "write -P 2 2M 9k", "-c", "write -z 1500k 5k", "-c", "sigraise 9", img.toString()));
      assertTrue((incompatible(img) & Features.INCOMPAT_DIRTY) != 0, opts + ": not dirty");
      assertEquals(2, Qemu.run(List.of("qemu-img", "check", img.toString())).exitCode(),
          opts + ": qemu left no errors to repair");
      byte[] model = Qemu.rawContents(img, dir);
      byte[] before = Files.readAllBytes(img);
      try (Qcow2Image ro = Qcow2Image.open(img)) {
        new RandomOps(1, model, 512, 512, false, 0).check(ro.disk(), 0, model.length);
      }
      assertArrayEquals(before, Files.readAllBytes(img), opts + ": a read-only open wrote");

      Qcow2Image.open(img, OpenOptions.readWrite()).close();
      assertEquals(0, incompatible(img) & Features.INCOMPAT_DIRTY, opts + ": still dirty");
      CreateTest.assertCheckClean(img);

      int cluster = opts.contains("4096") ? 4096 : 65536;
      boolean ext = opts.contains("extended_l2=on");
      RandomOps ops = new RandomOps(opts.hashCode(), model, cluster,
          ext ? cluster / 32 : cluster, true, 8 << 20);
      Qcow2Image image = Qcow2Image.open(new NoSyncLocation(img), OpenOptions.readWrite());
      image = ops.run(image, () -> Qcow2Image.open(new NoSyncLocation(img),
          OpenOptions.readWrite()), 400);
      image.close();
      RandomOps.assertQemuAgrees(img, ops.model, dir, opts);
    }
  }

  @Test
  void repairOfADirtyImageAlsoFixesCopiedFlags() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("copied.qcow2");
    long l2;
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(1 << 20)
        .lazyRefcounts(true).build())) {
      image.disk().write(ByteBuffer.wrap(new byte[] {5}), 0);
      image.disk().flush();
      l2 = ((Qcow2Disk) image.disk()).l1()[0] & 0x00FFFFFFFFFFFE00L;
    }
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(l2);
      long w = f.readLong();
      f.seek(l2);
      f.writeLong(w & ~(1L << 63));
      f.seek(72);
      f.writeLong(f.length() > 0 ? Features.INCOMPAT_DIRTY : 0);
    }
    assertEquals(2, Qemu.run(List.of("qemu-img", "check", img.toString())).exitCode());
    Qcow2Image.open(img, OpenOptions.readWrite()).close();
    CreateTest.assertCheckClean(img);
  }

  @Test
  void repairLowersCountsPastTheEndOfTheFile() throws Exception {
    Qemu.assumeAvailable();
    // A crash can leave an allocation's increment on disk without its data: a count past the end
    // of the file, which qemu-img check sees only once the file grows over it.
    Path img = dir.resolve("past.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(1 << 20)
        .clusterSize(4096).lazyRefcounts(true).build())) {
      image.disk().write(ByteBuffer.wrap(new byte[] {5}), 0);
      image.disk().flush();
    }
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      long pastEnd = (f.length() + 4095) / 4096;
      f.seek(48);
      long table = f.readLong();
      f.seek(table);
      long block = f.readLong();
      f.seek(block + 2 * pastEnd); // 16-bit refcounts
      f.writeShort(1);
      f.seek(72);
      f.writeLong(Features.INCOMPAT_DIRTY);
    }
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      // Grows the file over the stray count.
      image.disk().write(ByteBuffer.wrap(new byte[3 * 4096]), 8192);
    }
    CreateTest.assertCheckClean(img);
  }

  @Test
  void lazyRefcountsSetTheDirtyBitUntilCleanClose() throws Exception {
    Path img = dir.resolve("lazy.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(1 << 20)
        .lazyRefcounts(true).build())) {
      assertEquals(0, incompatible(img) & Features.INCOMPAT_DIRTY);
      image.disk().write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 70000);
      assertTrue((incompatible(img) & Features.INCOMPAT_DIRTY) != 0);
      image.disk().flush();
      assertTrue((incompatible(img) & Features.INCOMPAT_DIRTY) != 0);
    }
    assertEquals(0, incompatible(img) & Features.INCOMPAT_DIRTY);
    if (Qemu.available()) {
      CreateTest.assertCheckClean(img);
      assertFalse(Qemu.img("info", img.toString()).contains("cleanly shut down: no"));
    }
    // Without lazy refcounts the bit is never set.
    Path plain = dir.resolve("plain.qcow2");
    try (Qcow2Image image = Qcow2Image.create(plain, CreateOptions.defaults(1 << 20))) {
      image.disk().write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 70000);
      assertEquals(0, incompatible(plain) & Features.INCOMPAT_DIRTY);
    }
  }

  @Test
  void corruptionFoundWhileWritingSetsTheCorruptBit() throws Exception {
    Path img = dir.resolve("bad.qcow2");
    long l1Offset;
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.defaults(4 << 20))) {
      image.disk().write(ByteBuffer.wrap(new byte[] {9}), 0);
      l1Offset = image.header().l1TableOffset();
    }
    // Point L1 entry 0 at an unaligned L2 table.
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(l1Offset);
      long e = f.readLong();
      f.seek(l1Offset);
      f.writeLong(e + 512);
    }
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      assertThrows(CorruptImageException.class,
          () -> image.disk().write(ByteBuffer.wrap(new byte[100]), 5000));
      assertFalse(image.disk().isWritable());
      assertThrows(ReadOnlyDiskException.class,
          () -> image.disk().write(ByteBuffer.wrap(new byte[100]), 5000));
    }
    assertTrue((incompatible(img) & Features.INCOMPAT_CORRUPT) != 0);
    assertThrows(UnsupportedImageException.class,
        () -> Qcow2Image.open(img, OpenOptions.readWrite()));
    if (Qemu.available()) {
      assertTrue(Qemu.img("info", "--output=json", img.toString()).contains("\"corrupt\": true"));
    }
  }

  @Test
  void anAllocationOverLiveMetadataMarksTheImageCorrupt() throws Exception {
    Path img = dir.resolve("undercount.qcow2");
    Qcow2Image.create(img, CreateOptions.defaults(4 << 20)).close();
    // The L1 table sits in cluster 3; its 16-bit refcount in the block at cluster 2 is zeroed,
    // so first-fit would hand the L1 table out as a new L2 table.
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(2 * 65536 + 6);
      f.writeShort(0);
    }
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      CorruptImageException e = assertThrows(CorruptImageException.class,
          () -> image.disk().write(ByteBuffer.wrap(new byte[10]), 0));
      assertTrue(e.getMessage().contains("active L1 table"), e.getMessage());
      assertFalse(image.disk().isWritable());
    }
    assertTrue((incompatible(img) & Features.INCOMPAT_CORRUPT) != 0);
  }

  @Test
  void writableOpenClearsUnknownAutoclearBitsButKeepsConsistentBitmaps() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("bm.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "4M");
    Qemu.img("bitmap", "--add", img.toString(), "b0");
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(88);
      long a = f.readLong();
      assertEquals(Features.AUTOCLEAR_BITMAPS, a);
      f.seek(88);
      f.writeLong(a | (1L << 40));
    }
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      image.disk().write(ByteBuffer.wrap(new byte[] {1}), 0);
      assertEquals(Features.AUTOCLEAR_BITMAPS, image.header().autoclearFeatures());
    }
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
      f.seek(88);
      assertEquals(Features.AUTOCLEAR_BITMAPS, f.readLong());
    }
    // The bitmap was kept up to date: qemu finds it consistent, and no leaks.
    Qemu.Result r = Qemu.run(List.of("qemu-img", "check", img.toString()));
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    assertFalse(Qemu.img("info", img.toString()).contains("in-use"));
  }
}
