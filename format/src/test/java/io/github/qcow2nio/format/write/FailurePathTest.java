package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * One test for each failure path that once left an image wrong: a fault (an I/O error, or a
 * crash) at the one unlucky host write or force, chosen by the method it strikes in. Each failed
 * on the code before its fix; {@link FaultSweepTest} then tries every other point.
 */
@Tag("qemu")
class FailurePathTest {
  @TempDir Path dir;
  private final FaultyLocation.Crash crash = new FaultyLocation.Crash();
  private FaultyLocation loc;

  @BeforeEach
  void setUp() {
    loc = FaultyLocation.root(FaultSweep.IMAGE, crash, dir);
    crash.tornWrites = false;
    crash.mode = FaultyLocation.Mode.IO_ERROR;
  }

  private void failAt(String method, long index) {
    crash.inside = method;
    crash.insideIndex = index;
  }

  private static byte[] data(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Writes, with the injected failure (if it strikes) costing that call alone. */
  private void writeGoingOn(Qcow2Image image, byte[] b, long at) throws IOException {
    try {
      image.disk().write(ByteBuffer.wrap(b), at);
    } catch (FaultyLocation.InjectedIoError e) {
      // The caller goes on.
    }
  }

  private Path saveImage(byte[] bytes) throws IOException {
    Path img = dir.resolve(FaultSweep.IMAGE);
    Files.write(img, bytes);
    return img;
  }

  private Path save() throws IOException {
    return saveImage(loc.files().get(FaultSweep.IMAGE).current);
  }

  private static void assertClean(Path img) throws IOException {
    QemuImg.Check c = QemuImg.check(img);
    if (!c.consistent(true)) {
      fail("qemu-img check exit " + c.exitCode() + "\n" + c.output());
    }
  }

  private Qcow2Image fromQemu(String options, String size, String... io) throws IOException {
    Path seed = dir.resolve("seed.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", options, seed.toString(), size);
    Qemu.io(seed, io);
    loc.files().put(FaultSweep.IMAGE, FaultyLocation.File.of(crash, Files.readAllBytes(seed)));
    return Qcow2Image.open(loc, OpenOptions.readWrite());
  }

  @Test
  void failedWriteOfANewRefcountBlocksTableEntryIsWrittenLater() throws IOException {
    Qemu.assumeAvailable();
    // 512-byte clusters with 64-bit refcounts: a refcount block covers 64 clusters.
    failAt("createBlock", 2); // the block, its force, then the 8-byte table entry
    byte[] model = new byte[1 << 20];
    try (Qcow2Image image = Qcow2Image.create(loc, CreateOptions.builder(model.length)
        .clusterSize(512).refcountBits(64).build(), OpenOptions.readWrite())) {
      for (int at = 0; at < 256 << 10; at += 4096) {
        byte[] b = data(4096, at);
        try {
          image.disk().write(ByteBuffer.wrap(b), at);
          System.arraycopy(b, 0, model, at, b.length);
        } catch (FaultyLocation.InjectedIoError e) {
          image.disk().write(ByteBuffer.wrap(b), at); // retried: must now succeed
          System.arraycopy(b, 0, model, at, b.length);
        }
      }
    }
    assertTrue(crash.fired);
    Path img = save();
    assertClean(img);
    assertArrayEquals(model, Qemu.rawContents(img, dir));
  }

  @Test
  void failedEvictionKeepsTheRefcountBlockDirty() throws IOException {
    Qemu.assumeAvailable();
    failAt("evict", 0);
    try (Qcow2Image image = Qcow2Image.create(loc, CreateOptions.builder(8 << 20)
        .clusterSize(512).refcountBits(64).build(), OpenOptions.readWrite())) {
      // 64 cached blocks cover 2 MiB of the file: writing 3 MiB evicts dirty ones.
      for (int at = 0; at < 3 << 20; at += 64 << 10) {
        writeGoingOn(image, data(64 << 10, at), at);
      }
    }
    assertTrue(crash.fired);
    assertClean(save());
  }

  @Test
  void failedApplicationOfFreesIsNeverRepeated() throws IOException {
    Qemu.assumeAvailable();
    Path seed = dir.resolve("seed.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=512,refcount_bits=64",
        seed.toString(), "8M");
    Qemu.io(seed, "write -P 0x5a 0 4M");
    Qemu.img("snapshot", "-c", "s1", seed.toString());
    loc.files().put(FaultSweep.IMAGE, FaultyLocation.File.of(crash, Files.readAllBytes(seed)));
    // The overwrites drop the active tree's references to clusters the snapshot keeps: over 64
    // refcount blocks' worth, so applying the decrements evicts (and writes) blocks.
    failAt("applyDecrements", 0);
    try (Qcow2Image image = Qcow2Image.open(loc, OpenOptions.readWrite())) {
      for (int at = 0; at < 4 << 20; at += 64 << 10) {
        byte[] b = data(64 << 10, at);
        try {
          image.disk().write(ByteBuffer.wrap(b), at);
        } catch (FaultyLocation.InjectedIoError e) {
          image.disk().write(ByteBuffer.wrap(b), at);
        }
      }
      try {
        image.disk().flush();
      } catch (FaultyLocation.InjectedIoError e) {
        image.disk().flush();
      }
    }
    assertTrue(crash.fired);
    Path img = save();
    assertClean(img);
    Path raw = dir.resolve("s1.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=s1", img.toString(), raw.toString());
    byte[] s1 = Files.readAllBytes(raw);
    for (int i = 0; i < 4 << 20; i++) {
      if (s1[i] != 0x5a) {
        fail("the snapshot's byte " + i + " changed to " + s1[i]);
      }
    }
  }

  @Test
  void failedForceAfterTheL1SwitchKeepsWritingTheNewTable() throws IOException {
    Qemu.assumeAvailable();
    CreateOptions o = CreateOptions.builder(64 << 10).clusterSize(512).build();
    // A dry run counts the fault points of the L1 growth; the last is the force after the switch.
    failAt("growL1", Long.MAX_VALUE);
    try (Qcow2Image image = Qcow2Image.create(loc, o, OpenOptions.readWrite())) {
      image.disk().write(ByteBuffer.wrap(data(4096, 1)), 0);
      image.disk().resize(4 << 20);
    }
    long last = crash.insideSeen - 1;
    crash.insideSeen = 0;
    crash.points = 0;
    loc = FaultyLocation.root(FaultSweep.IMAGE, crash, dir);
    failAt("growL1", last);
    byte[] late = data(4096, 2);
    try (Qcow2Image image = Qcow2Image.create(loc, o, OpenOptions.readWrite())) {
      image.disk().write(ByteBuffer.wrap(data(4096, 1)), 0);
      assertThrows(FaultyLocation.InjectedIoError.class, () -> image.disk().resize(4 << 20));
      // The caller goes on: a write that needs a new L1 entry (a new L2 table) in the old size.
      image.disk().write(ByteBuffer.wrap(late), 40 << 10);
    }
    assertTrue(crash.fired);
    Path img = save();
    assertClean(img);
    byte[] raw = Qemu.rawContents(img, dir);
    assertArrayEquals(late, java.util.Arrays.copyOfRange(raw, 40 << 10, 44 << 10),
        "a write after the failed growth was lost");
  }

  @Test
  void aCrashDuringShrinkNeverBringsCutOffDataBack() throws IOException {
    Qemu.assumeAvailable();
    CreateOptions o = CreateOptions.builder(1 << 20).clusterSize(4096).build();
    failAt("resize", Long.MAX_VALUE);
    shrinkWorkload(o);
    long points = crash.insideSeen;
    assertTrue(points > 2, "only " + points + " fault points in the shrink");
    for (long k = 0; k < points; k++) {
      for (FaultyLocation.Mode mode : List.of(FaultyLocation.Mode.CRASH,
          FaultyLocation.Mode.POWER_LOSS)) {
        FaultyLocation.Crash c = new FaultyLocation.Crash();
        c.mode = mode;
        c.inside = "resize";
        c.insideIndex = k;
        c.rnd = new Random(k);
        loc = FaultyLocation.root(FaultSweep.IMAGE, c, dir);
        assertThrows(FaultyLocation.Crashed.class, () -> shrinkWorkload(o));
        FaultyLocation.File f = loc.files().get(FaultSweep.IMAGE);
        Path img = saveImage(mode == FaultyLocation.Mode.CRASH ? f.current
            : f.afterPowerLoss(c.rnd));
        long sizeAfterCrash;
        try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
          sizeAfterCrash = image.disk().size();
          image.disk().resize(1 << 20);
        }
        assertClean(img);
        byte[] raw = Qemu.rawContents(img, dir);
        byte[] written = data(1 << 20, 3);
        for (int i = 256 << 10; i < raw.length; i++) {
          // Once the smaller size is durable, what it cut off is gone for good; before that the
          // shrink may have dropped some of it, or none.
          boolean shrunk = sizeAfterCrash == 256 << 10;
          if (raw[i] != 0 && (shrunk || raw[i] != written[i])) {
            fail(mode + " at shrink point " + k + " (size after the crash " + sizeAfterCrash
                + "): byte " + i + " reads " + raw[i]);
          }
        }
      }
    }
  }

  private void shrinkWorkload(CreateOptions o) throws IOException {
    try (Qcow2Image image = Qcow2Image.create(loc, o, OpenOptions.readWrite())) {
      image.disk().write(ByteBuffer.wrap(data(1 << 20, 3)), 0);
      image.disk().flush();
      image.disk().resize(256 << 10, true);
    }
  }

  @Test
  void aBitmapResizeThatFailsLeavesTheBitmapsHonestlyInconsistent() throws IOException {
    Qemu.assumeAvailable();
    Path seed = dir.resolve("seed.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", seed.toString(), "1M");
    Qemu.img("bitmap", "--add", "-g", "4096", seed.toString(), "on");
    byte[] seedBytes = Files.readAllBytes(seed);
    failAt("finishResize", Long.MAX_VALUE);
    bitmapResizeWorkload(seedBytes, crash);
    long points = crash.insideSeen;
    assertTrue(points > 3, "only " + points + " fault points in the bitmap resize");
    for (long k = 0; k < points; k++) {
      FaultyLocation.Crash c = new FaultyLocation.Crash();
      c.mode = FaultyLocation.Mode.IO_ERROR;
      c.tornWrites = false;
      c.inside = "finishResize";
      c.insideIndex = k;
      loc = FaultyLocation.root(FaultSweep.IMAGE, c, dir);
      bitmapResizeWorkload(seedBytes, c);
      assertTrue(c.fired);
      Path img = save();
      assertClean(img);
      // Whatever the bitmap claims must be true: in use (inconsistent), or every write recorded.
      String flags = BitmapWriteTest.qemuFlags(img).get("on");
      if (!flags.contains("in-use")) {
        java.util.BitSet on = BitmapWriteTest.readBitmaps(img).get("on");
        java.util.BitSet need = BitmapWriteTest.granules(List.of(new long[] {0, 8192},
            new long[] {700 << 10, 4096}), 1 << 20, 12);
        need.andNot(on);
        assertTrue(need.isEmpty(), "point " + k + ": a consistent bitmap misses " + need);
      }
    }
  }

  private void bitmapResizeWorkload(byte[] seed, FaultyLocation.Crash c) throws IOException {
    loc.files().put(FaultSweep.IMAGE, FaultyLocation.File.of(c, seed));
    try (Qcow2Image image = Qcow2Image.open(loc, OpenOptions.readWrite())) {
      image.disk().write(ByteBuffer.wrap(data(8192, 5)), 0);
      try {
        image.disk().resize(2 << 20);
      } catch (FaultyLocation.InjectedIoError e) {
        // The caller goes on with the size it has.
      }
      image.disk().write(ByteBuffer.wrap(data(4096, 6)), 700 << 10);
    }
  }

  @Test
  void aRetriedFlushForcesWhatTheFailedOneWroteBeforeAnyDecrement() throws IOException {
    Qemu.assumeAvailable();
    Qcow2Image image = Qcow2Image.create(loc, CreateOptions.builder(1 << 20)
        .clusterSize(4096).build(), OpenOptions.readWrite());
    image.disk().write(ByteBuffer.wrap(data(64 << 10, 4)), 0);
    image.disk().flush();
    image.disk().discard(0, 64 << 10);
    // The flush writes the L2 table and forces: that force fails.
    failAt("flushMetadata", 1);
    assertThrows(FaultyLocation.InjectedIoError.class, () -> image.disk().flush());
    FaultyLocation.File f = loc.files().get(FaultSweep.IMAGE);
    int unforcedBefore = f.pending.size();
    assertTrue(unforcedBefore > 0);
    // The retry: the power fails at its first force. The disk kept only what the retry wrote
    // before that (the decrements, if it wrote them first), not the failed attempt's L2 table.
    crash.crashAtNextForce = true;
    assertThrows(FaultyLocation.Crashed.class, () -> image.disk().flush());
    Path img = saveImage(f.afterPowerLossKeepingFrom(unforcedBefore));
    assertClean(img);
    try (Qcow2Image again = Qcow2Image.open(img)) {
      assertEquals(1 << 20, again.disk().size());
    }
  }
}
