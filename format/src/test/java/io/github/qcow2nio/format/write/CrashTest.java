package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.CompressingDisk;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Crash consistency: the world stops at a random host write (then either every issued write
 * survives, or only what was forced plus a random subset of the rest). After that qemu-img check
 * finds no corruption (leaks are fine), every byte not written since the last successful flush
 * reads back as it was then, and the image can be opened writable and written again.
 *
 * <p>{@code -Dqcow2.crashes=N} sets the crashes per configuration (default 16).
 */
@Tag("qemu")
class CrashTest {
  static final int CRASHES = Knobs.CRASHES;

  @TempDir Path dir;

  static Stream<Arguments> configs() {
    List<Arguments> a = new ArrayList<>();
    a.add(Arguments.of("v3 64k", CreateOptions.defaults(4 << 20), false));
    a.add(Arguments.of("v2 512", CreateOptions.builder(1 << 20).version(2)
        .clusterSize(512).build(), false));
    a.add(Arguments.of("refcount 64 512", CreateOptions.builder(1 << 20).clusterSize(512)
        .refcountBits(64).build(), false));
    a.add(Arguments.of("extended l2", CreateOptions.builder(4 << 20).clusterSize(16384)
        .extendedL2(true).build(), false));
    a.add(Arguments.of("lazy refcounts", CreateOptions.builder(2 << 20).clusterSize(4096)
        .lazyRefcounts(true).build(), false));
    a.add(Arguments.of("data file", CreateOptions.builder(2 << 20).clusterSize(4096).build(),
        true));
    // Half the writes go through the compress filter: packed streams, straddling, refcount max.
    a.add(Arguments.of("compressed 4k", CreateOptions.builder(1 << 20).clusterSize(4096).build(),
        false));
    a.add(Arguments.of("compressed zstd refcount 2 extended l2", CreateOptions.defaults(2 << 20)
        .toBuilder().clusterSize(16384).refcountBits(2).extendedL2(true).compressionType(1).build(),
        false));
    // Starts from an image qemu wrote, with compressed clusters and an internal snapshot.
    a.add(Arguments.of("qemu snapshot", CreateOptions.builder(2 << 20).clusterSize(4096).build(),
        false));
    // Snapshot operations (CrashSnapshots) among the writes.
    a.add(Arguments.of("snapshots v3 4k", CreateOptions.builder(1 << 20).clusterSize(4096).build(),
        false));
    a.add(Arguments.of("snapshots extended l2 lazy refcount 8", CreateOptions.defaults(1 << 20)
        .toBuilder().clusterSize(16384).extendedL2(true).lazyRefcounts(true).refcountBits(8).build(),
        false));
    // Starts from an image qemu wrote, with an enabled and a disabled persistent bitmap.
    a.add(Arguments.of("qemu bitmaps", CreateOptions.builder(4 << 20).clusterSize(512).build(),
        false));
    return a.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void crashAnywhere(String name, CreateOptions options, boolean dataFile) throws Exception {
    Qemu.assumeAvailable();
    for (int iter = 0; iter < CRASHES; iter++) {
      runOnce(name + " #" + iter, options, dataFile, name.hashCode() * 1000L + iter,
          iter % 2 == 1);
    }
  }

  private byte[] snapshotRaw(Path img) throws Exception {
    Path raw = dir.resolve("snap.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=s1", img.toString(), raw.toString());
    byte[] b = Files.readAllBytes(raw);
    Files.delete(raw);
    return b;
  }

  /**
   * After a crash an enabled bitmap is either still in_use (inconsistent, as QEMU leaves it) or
   * records every change made; the disabled one holds what qemu left in it.
   */
  private static void checkBitmapsAfterCrash(Path img, List<long[]> everTouched, long size,
      String what) throws Exception {
    String json = Qemu.img("info", "--output=json", img.toString());
    boolean inUse = json.replaceAll("\\s", "").contains("\"flags\":[\"in-use\",\"auto\"],\"name\":\"on\"");
    java.util.Map<String, BitSet> bits = BitmapWriteTest.readBitmaps(img);
    if (!inUse) {
      // Every change is recorded; the one in progress at the crash may not have started.
      BitSet all = BitmapWriteTest.granules(everTouched, size, 9);
      BitSet done = BitmapWriteTest.granules(everTouched.subList(0, everTouched.size() - 1),
          size, 9);
      BitSet on = bits.get("on");
      BitSet missing = (BitSet) done.clone();
      missing.andNot(on);
      assertTrue(missing.isEmpty(), what + ": a consistent bitmap misses granules " + missing);
      BitSet extra = (BitSet) on.clone();
      extra.andNot(all);
      assertTrue(extra.isEmpty(), what + ": granules never changed are marked: " + extra);
    }
    assertEquals(BitmapWriteTest.granules(everTouched.subList(0, 2), size, 12), bits.get("off"),
        what + ": the disabled bitmap changed");
  }

  private void runOnce(String what, CreateOptions options, boolean dataFile, long seed,
      boolean powerLoss) throws Exception {
    Random rnd = new Random(seed);
    FaultyLocation.Crash crash = new FaultyLocation.Crash();
    FaultyLocation loc = FaultyLocation.root("crash.qcow2", crash, dir);
    Path dataPath = dir.resolve("crash.data");
    CreateOptions o = dataFile
        ? options.toBuilder().dataFile(dataPath.toString()).dataFileRaw(false).build() : options;
    int cluster = o.clusterSize();
    int unit = o.extendedL2() ? cluster / 32 : cluster;
    boolean fromQemu = what.startsWith("qemu");
    boolean withBitmaps = what.startsWith("qemu bitmaps");
    List<long[]> everTouched = new ArrayList<>();
    byte[] snapshot = null;
    byte[] model = new byte[(int) o.size()];
    Qcow2Image image;
    if (fromQemu) {
      Path seedImage = dir.resolve("seed.qcow2");
      Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=" + cluster,
          seedImage.toString(), Long.toString(o.size()));
      if (withBitmaps) {
        Qemu.img("bitmap", "--add", "-g", "512", seedImage.toString(), "on");
        Qemu.img("bitmap", "--add", "-g", "4096", seedImage.toString(), "off");
        Qemu.io(seedImage, "write -P 0x42 300k 300k", "write -z 700k 64k");
        Qemu.img("bitmap", "--disable", seedImage.toString(), "off");
        everTouched.add(new long[] {300 << 10, 300 << 10});
        everTouched.add(new long[] {700 << 10, 64 << 10});
      } else {
        Qemu.io(seedImage, "write -c -P 0x41 0 256k", "write -P 0x42 300k 300k",
            "write -z 700k 64k", "write -c -P 0x43 1M 128k");
        Qemu.img("snapshot", "-c", "s1", seedImage.toString());
        Qemu.io(seedImage, "write -P 0x44 100k 100k");
        snapshot = snapshotRaw(seedImage);
      }
      model = Qemu.rawContents(seedImage, dir);
      FaultyLocation.File f = new FaultyLocation.File(crash);
      f.current = Files.readAllBytes(seedImage);
      f.durable = f.current.clone();
      loc.files().put("crash.qcow2", f);
      image = Qcow2Image.open(loc, OpenOptions.readWrite());
    } else {
      image = Qcow2Image.create(loc, o, OpenOptions.readWrite());
    }
    byte[] flushed = model.clone();
    BitSet touched = new BitSet();
    long maxSize = 2 * o.size();
    // A grown size is durable at the next flush: after a crash the disk has the size of the last
    // flush or one it was grown to since.
    List<Long> sizesSinceFlush = new ArrayList<>();
    CrashSnapshots snaps = what.startsWith("snapshots") ? new CrashSnapshots() : null;
    crash.writesLeft = 1 + rnd.nextInt(600);
    CompressingDisk compressing = what.startsWith("compressed") ? new CompressingDisk((Qcow2Disk) image.disk(), 2)
        : null;
    try {
      for (int i = 0; i < 100000; i++) {
        Qcow2Disk disk = (Qcow2Disk) image.disk();
        int size = model.length;
        int kind = rnd.nextInt(100);
        int off = rnd.nextInt(size);
        int len = 1 + rnd.nextInt(Math.min(size - off, switch (rnd.nextInt(3)) {
          case 0 -> 64;
          case 1 -> unit * 2;
          default -> cluster * 3;
        }));
        if (rnd.nextBoolean()) {
          off = off / unit * unit;
          len = Math.max(unit, len / unit * unit);
          len = Math.min(len, size - off);
        }
        if (kind < 55) {
          byte[] data = new byte[len];
          rnd.nextBytes(data);
          boolean compress = compressing != null && rnd.nextBoolean();
          if (compress) {
            // Whole clusters, most of them: those are what gets compressed.
            off = off / cluster * cluster;
            len = Math.min(size - off, Math.max(len, cluster));
            data = CompressedImages.compressible(rnd, len, 1024);
          }
          touched.set(off, off + len);
          everTouched.add(new long[] {off, len});
          if (compress) {
            compressing.write(ByteBuffer.wrap(data), off);
          } else {
            disk.write(ByteBuffer.wrap(data), off);
          }
          System.arraycopy(data, 0, model, off, len);
        } else if (kind < 68) {
          touched.set(off, off + len);
          everTouched.add(new long[] {off, len});
          disk.writeZeros(off, len);
          Arrays.fill(model, off, off + len, (byte) 0);
        } else if (kind < 80) {
          touched.set(off, off + len);
          everTouched.add(new long[] {off, len});
          disk.discard(off, len);
          for (long c = ((long) off + cluster - 1) / cluster * cluster; c < off + len;
              c += cluster) {
            long cEnd = Math.min(c + cluster, size);
            if (cEnd <= off + len) {
              Arrays.fill(model, (int) c, (int) cEnd, (byte) 0);
            }
          }
        } else if (kind < 92) {
          disk.flush();
          flushed = model.clone();
          touched.clear();
          sizesSinceFlush.clear();
        } else if (kind >= 94 && snaps != null) {
          model = snaps.step(image, model, rnd);
          // Every snapshot operation flushes first and completes durably.
          flushed = model.clone();
          touched.clear();
          sizesSinceFlush.clear();
        } else if (kind < 94 && size + cluster <= maxSize && (!fromQemu || withBitmaps)
            && (snaps == null || snaps.isEmpty() || o.version() == 3)) {
          long newSize = size + (1 + rnd.nextInt(4)) * 512L * (rnd.nextBoolean() ? 1 : cluster / 512);
          newSize = Math.min(newSize, maxSize);
          sizesSinceFlush.add(newSize);
          disk.resize(newSize);
          model = Arrays.copyOf(model, (int) newSize);
        }
      }
      fail(what + ": no crash happened");
    } catch (FaultyLocation.Crashed expected) {
      // The world stopped here.
    } finally {
      if (compressing != null) {
        compressing.close();
      }
    }
    Path img = dir.resolve("crash.qcow2");
    for (Map.Entry<String, FaultyLocation.File> e : loc.files().entrySet()) {
      Path p = e.getKey().equals("crash.qcow2") ? img : Path.of(e.getKey());
      FaultyLocation.File f = e.getValue();
      Files.write(p, powerLoss ? f.afterPowerLoss(rnd) : f.current);
    }
    if (withBitmaps) {
      long size;
      try (Qcow2Image again = Qcow2Image.open(img)) {
        size = again.disk().size();
      }
      checkBitmapsAfterCrash(img, everTouched, size,
          what + (powerLoss ? " (power loss)" : ""));
    }
    if (snaps != null) {
      snaps.check(img, what + (powerLoss ? " (power loss)" : " (process crash)"));
    }
    Qemu.Result r = Qemu.run(List.of("qemu-img", "check", img.toString()));
    if (r.exitCode() != 0 && r.exitCode() != 3) {
      fail(what + (powerLoss ? " (power loss)" : " (process crash)") + ": qemu-img check exit "
          + r.exitCode() + "\n" + r.stdout() + r.stderr());
    }
    byte[] qemuView = Qemu.rawContents(img, dir);
    try (Qcow2Image again = Qcow2Image.open(img)) {
      long size = again.disk().size();
      if (snaps != null && snaps.revertingTo != null) {
        byte[] all = new byte[(int) size];
        again.disk().read(ByteBuffer.wrap(all), 0);
        if (Arrays.equals(all, snaps.revertingTo)) {
          // The revert was switched in whole; the old disk is checked below otherwise.
          flushed = all;
          touched.clear();
          sizesSinceFlush.clear();
        }
      }
      assertTrue(size == flushed.length || sizesSinceFlush.contains(size),
          what + ": size " + size + ", flushed " + flushed.length + ", grown since to "
              + sizesSinceFlush);
      byte[] ours = new byte[(int) size];
      if (size > 0) {
        again.disk().read(ByteBuffer.wrap(ours), 0);
      }
      assertArrayEquals(qemuView, ours, what + ": our reader and qemu disagree");
      int n = (int) Math.min(size, flushed.length);
      for (int i = touched.nextClearBit(0); i < n; i = touched.nextClearBit(i + 1)) {
        if (ours[i] != flushed[i]) {
          fail(what + (powerLoss ? " (power loss)" : " (process crash)")
              + ": byte at guest offset " + i + " was flushed as " + flushed[i] + " but reads "
              + ours[i]);
        }
      }
      // A grown part that no write touched since the last flush reads as zeros.
      for (int i = touched.nextClearBit(n); i < size; i = touched.nextClearBit(i + 1)) {
        if (ours[i] != 0) {
          fail(what + (powerLoss ? " (power loss)" : " (process crash)")
              + ": byte at guest offset " + i + " in the grown part reads " + ours[i]);
        }
      }
    }
    // Writable again (a dirty image gets its refcounts rebuilt), and still consistent.
    try (Qcow2Image again = Qcow2Image.open(img, OpenOptions.readWrite())) {
      byte[] data = new byte[3 * cluster];
      rnd.nextBytes(data);
      int at = (int) Math.max(0, Math.min(again.disk().size() - data.length, rnd.nextInt(1 << 20)));
      if (again.disk().size() >= data.length) {
        again.disk().write(ByteBuffer.wrap(data), at);
      }
    }
    Qemu.Result r2 = Qemu.run(List.of("qemu-img", "check", img.toString()));
    if (r2.exitCode() != 0 && r2.exitCode() != 3) {
      fail(what + ": after our reopen, qemu-img check exit " + r2.exitCode() + "\n"
          + r2.stdout() + r2.stderr());
    }
    if (snapshot != null) {
      assertArrayEquals(snapshot, snapshotRaw(img), what + ": the snapshot changed");
    }
    if (o.lazyRefcounts()) {
      assertEquals(0, r2.exitCode(), what + ": the rebuild left leaks:\n" + r2.stdout());
    }
  }
}
