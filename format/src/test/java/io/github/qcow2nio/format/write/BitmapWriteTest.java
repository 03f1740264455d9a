package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Tag;

/**
 * Persistent dirty bitmaps on images we write: enabled bitmaps record every change (checked
 * against a model of the requests and against what qemu copies with {@code convert --bitmaps}),
 * disabled and in-use bitmaps stay as they were, and qemu-img check finds no errors or leaks.
 */
@Tag("qemu")
class BitmapWriteTest {
  static final int OPS = Knobs.BITMAP_OPS;

  @TempDir Path dir;

  /** The ranges qemu-io writes before we open the image (they mark every enabled bitmap). */
  static final long[][] QEMU_WRITES = {{100 * 1024, 200 * 1024}, {1 << 20, 64 * 1024},
      {3 * (1 << 20) + 512, 4096}};

  private Path qemuImage(String name, int clusterSize, long size) throws IOException {
    Path img = dir.resolve(name);
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=" + clusterSize, img.toString(),
        Long.toString(size));
    Qemu.img("bitmap", "--add", img.toString(), "on");
    Qemu.img("bitmap", "--add", "-g", "512", img.toString(), "fine");
    Qemu.img("bitmap", "--add", img.toString(), "off");
    Qemu.img("bitmap", "--add", "-g", "65536", img.toString(), "used");
    List<String> cmds = new ArrayList<>();
    for (long[] w : QEMU_WRITES) {
      cmds.add("write -P 0x5a " + w[0] + " " + w[1]);
    }
    Qemu.io(img, cmds.toArray(String[]::new));
    Qemu.img("bitmap", "--disable", img.toString(), "off");
    return img;
  }

  /** The granules of a bitmap with {@code granBits} that {@code ranges} touch. */
  static BitSet granules(List<long[]> ranges, long size, int granBits) {
    BitSet b = new BitSet();
    for (long[] r : ranges) {
      if (r[1] <= 0) {
        continue;
      }
      long last = Math.min(size - 1, r[0] + r[1] - 1);
      b.set((int) (r[0] >>> granBits), (int) (last >>> granBits) + 1);
    }
    return b;
  }

  static Map<String, BitSet> readBitmaps(Path img) throws IOException {
    Map<String, BitSet> out = new HashMap<>();
    try (Qcow2Image image = Qcow2Image.open(img)) {
      for (BitmapDirectoryEntry e : image.bitmaps()) {
        DirtyBitmap d = DirtyBitmap.load(image.hostFile(), image.header().clusterBits(), e,
            image.disk().size());
        BitSet bits = new BitSet();
        for (long i = 0; i < d.size(); i++) {
          if (d.get(i)) {
            bits.set((int) i);
          }
        }
        out.put(e.name(), bits);
      }
    }
    return out;
  }

  static int granularityBits(Path img, String name) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img)) {
      return image.bitmaps().stream().filter(b -> b.name().equals(name)).findFirst()
          .orElseThrow().granularityBits();
    }
  }

  /** Bitmap name to its flags, from qemu-img info --output=json. */
  static Map<String, String> qemuFlags(Path img) throws IOException {
    String json = Qemu.img("info", "--output=json", img.toString());
    Matcher m = Pattern.compile("\"flags\":\\s*\\[([^\\]]*)\\],\\s*\"name\":\\s*\"([^\"]*)\"")
        .matcher(json);
    Map<String, String> out = new HashMap<>();
    while (m.find()) {
      out.put(m.group(2), m.group(1).replaceAll("\\s", ""));
    }
    return out;
  }

  /** Sets in_use on bitmap {@code name}, as a writer that crashed leaves it. */
  static void markInUse(Path img, String name) throws IOException {
    long at = -1;
    try (Qcow2Image image = Qcow2Image.open(img)) {
      BitmapsExtension ext = image.extensions().bitmaps().orElseThrow();
      ByteBuffer d = ByteBuffer.allocate((int) ext.directorySize());
      image.hostFile().read(d, ext.directoryOffset());
      int p = 0;
      while (p < d.limit()) {
        int nameSize = d.getShort(p + 18) & 0xFFFF;
        String n = new String(d.array(), p + 24, nameSize, StandardCharsets.UTF_8);
        if (n.equals(name)) {
          at = ext.directoryOffset() + p + 12;
        }
        p += (24 + nameSize + 7) & ~7;
      }
    }
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(at);
      int flags = f.readInt();
      f.seek(at);
      f.writeInt(flags | BitmapDirectoryEntry.FLAG_IN_USE);
    }
  }

  /** The bytes of a bitmap's table and data clusters. */
  static byte[] storage(Path img, String name) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img)) {
      BitmapDirectoryEntry e = image.bitmaps().stream().filter(b -> b.name().equals(name))
          .findFirst().orElseThrow();
      int cs = image.header().clusterSize();
      ByteBuffer t = ByteBuffer.allocate(8 * e.tableSize());
      image.hostFile().read(t, e.tableOffset());
      ByteBuffer all = ByteBuffer.allocate(t.capacity() + cs * e.tableSize());
      all.put(t.array());
      for (int i = 0; i < e.tableSize(); i++) {
        long off = t.getLong(8 * i) & DirtyBitmap.ENTRY_OFFSET;
        ByteBuffer c = ByteBuffer.allocate(cs);
        if (off != 0) {
          image.hostFile().read(c, off);
        }
        all.put(c.array());
      }
      return all.array();
    }
  }

  @Test
  void readerAgreesWithQemu() throws Exception {
    Qemu.assumeAvailable();
    Path img = qemuImage("r.qcow2", 65536, 4 << 20);
    Map<String, BitSet> bits = readBitmaps(img);
    List<long[]> writes = List.of(QEMU_WRITES);
    for (String n : List.of("on", "fine", "off", "used")) {
      BitSet expected = granules(writes, 4 << 20, granularityBits(img, n));
      assertTrue(expected.cardinality() > 1, n);
      assertEquals(expected, bits.get(n), "bitmap " + n + " as qemu-io left it");
    }
  }

  @ParameterizedTest(name = "cluster {0}")
  @CsvSource({"65536, 4194304", "512, 4194304", "4096, 8388608"})
  void randomWritesKeepBitmaps(int clusterSize, long size) throws Exception {
    Qemu.assumeAvailable();
    Path img = qemuImage("img.qcow2", clusterSize, size);
    markInUse(img, "used");
    byte[] usedBefore = storage(img, "used");
    byte[] initial = Qemu.rawContents(img, dir);
    ImageLocation loc = new NoSyncLocation(img);
    RandomOps ops = new RandomOps(clusterSize * 31L + size, initial, clusterSize, clusterSize,
        false, size);
    Qcow2Image image = Qcow2Image.open(loc, OpenOptions.readWrite());
    try {
      image = ops.run(image, () -> Qcow2Image.open(loc, OpenOptions.readWrite()), OPS);
    } finally {
      image.close();
    }
    String what = "cluster " + clusterSize + " (" + ops.stats() + ")";
    RandomOps.assertQemuAgrees(img, ops.model, dir, what);

    Map<String, String> flags = qemuFlags(img);
    assertEquals("\"auto\"", flags.get("on"), what);
    assertEquals("\"auto\"", flags.get("fine"), what);
    assertEquals("", flags.get("off"), what);
    assertEquals("\"in-use\",\"auto\"", flags.get("used"), what);

    List<long[]> all = new ArrayList<>(List.of(QEMU_WRITES));
    all.addAll(ops.changes);
    Map<String, BitSet> ours = readBitmaps(img);
    for (String n : List.of("on", "fine")) {
      assertEquals(granules(all, size, granularityBits(img, n)), ours.get(n), what + ": " + n);
    }
    assertEquals(granules(List.of(QEMU_WRITES), size, granularityBits(img, "off")),
        ours.get("off"), what + ": the disabled bitmap changed");
    assertArrayEquals(usedBefore, storage(img, "used"), what + ": the in-use bitmap changed");

    // qemu reads our bitmaps as we do: it copies the same bits.
    Path copy = dir.resolve("copy.qcow2");
    Qemu.img("convert", "-q", "-O", "qcow2", "--bitmaps", "--skip-broken-bitmaps",
        img.toString(), copy.toString());
    Map<String, BitSet> copied = readBitmaps(copy);
    for (String n : List.of("on", "fine", "off")) {
      assertEquals(ours.get(n), copied.get(n), what + ": qemu's copy of " + n);
    }
    Qemu.Result check = Qemu.run(List.of("qemu-img", "check", copy.toString()));
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
  }

  @Test
  void whileOpenTrackedBitmapsAreInUse() throws Exception {
    Qemu.assumeAvailable();
    Path img = qemuImage("o.qcow2", 65536, 4 << 20);
    try (Qcow2Image image = Qcow2Image.open(new PathLocation(img), OpenOptions.readWrite())) {
      assertEquals("\"auto\"", qemuFlagsUnlocked(img).get("on"), "before the first write");
      image.disk().write(ByteBuffer.wrap(new byte[100]), 2 << 20);
      Map<String, String> flags = qemuFlagsUnlocked(img);
      assertEquals("\"in-use\",\"auto\"", flags.get("on"));
      assertEquals("\"in-use\",\"auto\"", flags.get("fine"));
      assertEquals("", flags.get("off"));
      image.disk().flush();
      assertEquals("\"auto\"", qemuFlagsUnlocked(img).get("on"), "after a flush");
      image.disk().discard(0, 4 << 20);
      assertEquals("\"in-use\",\"auto\"", qemuFlagsUnlocked(img).get("on"));
    }
    assertEquals("\"auto\"", qemuFlags(img).get("on"));
    BitSet all = new BitSet();
    all.set(0, (4 << 20) >>> granularityBits(img, "on"));
    assertEquals(all, readBitmaps(img).get("on"), "a discard of everything marks everything");
    Qemu.Result check = Qemu.run(List.of("qemu-img", "check", img.toString()));
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
  }

  @Test
  void fullyDirtyClusterUsesTheAllOnesEntry() throws Exception {
    Qemu.assumeAvailable();
    // 512-byte clusters and granularity: one bitmap cluster covers 2 MiB of disk.
    Path img = qemuImage("ones.qcow2", 512, 8 << 20);
    // qemu-io's writes allocated the first two bitmap clusters; the last two are still zero.
    List<long[]> ours = List.of(new long[] {4 << 20, 2 << 20}, new long[] {(6 << 20) + 4096,
        1000});
    try (Qcow2Image image = Qcow2Image.open(new NoSyncLocation(img), OpenOptions.readWrite())) {
      image.disk().writeZeros(4 << 20, 2 << 20);
      image.disk().write(ByteBuffer.wrap(new byte[1000]), (6 << 20) + 4096);
    }
    Qemu.Result check = Qemu.run(List.of("qemu-img", "check", img.toString()));
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
    long[] table = new long[4];
    try (Qcow2Image image = Qcow2Image.open(img)) {
      BitmapDirectoryEntry e = image.bitmaps().stream().filter(b -> b.name().equals("fine"))
          .findFirst().orElseThrow();
      ByteBuffer t = ByteBuffer.allocate(32);
      image.hostFile().read(t, e.tableOffset());
      t.flip().asLongBuffer().get(table);
    }
    assertTrue((table[0] & DirtyBitmap.ENTRY_OFFSET) != 0, "qemu's data cluster");
    assertEquals(DirtyBitmap.ENTRY_ALL_ONES, table[2], "third 2 MiB all dirty");
    assertTrue((table[3] & DirtyBitmap.ENTRY_OFFSET) != 0, "a new data cluster for the last");
    List<long[]> all = new ArrayList<>(List.of(QEMU_WRITES));
    all.addAll(ours);
    BitSet expected = granules(all, 8 << 20, 9);
    assertEquals(expected, readBitmaps(img).get("fine"));
    Path copy = dir.resolve("ones-copy.qcow2");
    Qemu.img("convert", "-q", "-O", "qcow2", "--bitmaps", img.toString(), copy.toString());
    assertEquals(expected, readBitmaps(copy).get("fine"), "qemu reads the all-ones entry");
  }

  /**
   * Resizes as qemu-img resize does: every bitmap (disabled ones too) is resized, bits past a new
   * end dropped, grown parts clean. The same steps done by qemu on a copy give the same bitmaps.
   */
  @ParameterizedTest(name = "cluster {0}")
  @CsvSource({"512", "65536"})
  void resizeResizesBitmapsAsQemuDoes(int clusterSize) throws Exception {
    Qemu.assumeAvailable();
    Path img = qemuImage("z.qcow2", clusterSize, 4 << 20);
    Path theirs = dir.resolve("zq.qcow2");
    Files.copy(img, theirs);
    // Shrinks then grows: bits once past the end must come back clear.
    long[] sizes = {9 << 20, 1 << 20, (3 << 20) + 512, 6 << 20};
    try (Qcow2Image image = Qcow2Image.open(new NoSyncLocation(img), OpenOptions.readWrite())) {
      for (long size : sizes) {
        image.disk().resize(size, true);
        long at = size - 70000;
        byte[] data = new byte[50000];
        java.util.Arrays.fill(data, (byte) 0x77);
        image.disk().write(ByteBuffer.wrap(data), at);
        image.disk().writeZeros(size / 3, 4096);
        if (size == (6 << 20)) {
          image.disk().flush();
        }
      }
    }
    for (long size : sizes) {
      List<String> r = new ArrayList<>(List.of("qemu-img", "resize", "-q", "-f", "qcow2"));
      r.add("--shrink");
      r.add(theirs.toString());
      r.add(Long.toString(size));
      Qemu.Result res = Qemu.run(r);
      assertEquals(0, res.exitCode(), res.stdout() + res.stderr());
      Qemu.io(theirs, "write -P 0x77 " + (size - 70000) + " 50000",
          "write -z " + (size / 3) + " 4096");
    }
    String what = "cluster " + clusterSize;
    Qemu.Result check = Qemu.run(List.of("qemu-img", "check", img.toString()));
    assertEquals(0, check.exitCode(), what + ":\n" + check.stdout() + check.stderr());
    Qemu.Result cmp = Qemu.run(List.of("qemu-img", "compare", img.toString(),
        theirs.toString()));
    assertEquals(0, cmp.exitCode(), what + ":\n" + cmp.stdout() + cmp.stderr());
    Map<String, String> flags = qemuFlags(img);
    assertEquals(qemuFlags(theirs), flags, what);
    assertEquals("\"auto\"", flags.get("on"), what);
    Map<String, BitSet> ours = readBitmaps(img);
    Map<String, BitSet> expected = readBitmaps(theirs);
    for (String n : List.of("on", "fine", "off")) {
      assertEquals(expected.get(n), ours.get(n), what + ": bitmap " + n);
    }
    assertTrue(ours.get("fine").cardinality() > 10, what);
  }

  @Test
  void resizeWithAnInUseBitmapIsRefused() throws Exception {
    Qemu.assumeAvailable();
    Path img = qemuImage("u.qcow2", 65536, 4 << 20);
    markInUse(img, "used");
    Path theirs = dir.resolve("uq.qcow2");
    Files.copy(img, theirs);
    Qemu.Result q = Qemu.run(List.of("qemu-img", "resize", theirs.toString(), "8M"));
    assertEquals(1, q.exitCode(), "qemu-img refuses too:\n" + q.stdout() + q.stderr());
    assertTrue(q.stderr().contains("Bitmap 'used' is inconsistent"), q.stderr());
    try (Qcow2Image image = Qcow2Image.open(new PathLocation(img), OpenOptions.readWrite())) {
      io.github.qcow2nio.format.error.Qcow2Exception e = org.junit.jupiter.api.Assertions
          .assertThrows(io.github.qcow2nio.format.error.Qcow2Exception.class,
              () -> image.disk().resize(8 << 20));
      assertTrue(e.getMessage().contains("Bitmap 'used' is inconsistent"), e.getMessage());
      assertEquals(4 << 20, image.disk().size());
    }
    Qemu.Result check = Qemu.run(List.of("qemu-img", "check", img.toString()));
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
  }

  private static Map<String, String> qemuFlagsUnlocked(Path img) throws IOException {
    String json = Qemu.img("info", "-U", "--output=json", img.toString());
    Matcher m = Pattern.compile("\"flags\":\\s*\\[([^\\]]*)\\],\\s*\"name\":\\s*\"([^\"]*)\"")
        .matcher(json);
    Map<String, String> out = new HashMap<>();
    while (m.find()) {
      out.put(m.group(2), m.group(1).replaceAll("\\s", ""));
    }
    return out;
  }

  @Test
  void dirtyImageWithBitmapsIsRepaired() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("d.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "lazy_refcounts=on", img.toString(), "4M");
    Qemu.img("bitmap", "--add", img.toString(), "b1");
    Qemu.io(img, "write -P 0x11 0 64k");
    // qemu killed after a write with lazy refcounts: dirty, refcounts stale, b1 in use.
    Qemu.Result killed = Qemu.run(List.of("qemu-io", "-f", "qcow2", "-c",
        "write -P 0x22 128k 64k", "-c", "sigraise 9", img.toString()));
    assertTrue(killed.exitCode() != 0, "qemu-io was killed");
    Qemu.Result dirty = Qemu.run(List.of("qemu-img", "check", img.toString()));
    assertEquals(2, dirty.exitCode(), "the image needs repair:\n" + dirty.stdout());
    byte[] model = Qemu.rawContents(img, dir);
    byte[] b1 = storage(img, "b1");
    try (Qcow2Image image = Qcow2Image.open(new PathLocation(img), OpenOptions.readWrite())) {
      byte[] data = new byte[70000];
      new java.util.Random(7).nextBytes(data);
      image.disk().write(ByteBuffer.wrap(data), 1 << 20);
      System.arraycopy(data, 0, model, 1 << 20, data.length);
    }
    RandomOps.assertQemuAgrees(img, model, dir, "repaired");
    assertArrayEquals(b1, storage(img, "b1"), "the in-use bitmap survived the repair");
    assertEquals("\"in-use\",\"auto\"", qemuFlags(img).get("b1"));
  }

  @Test
  void dirtyImageWithConsistentBitmapsIsRepairedAndTracked() throws Exception {
    Qemu.assumeAvailable();
    Path img = qemuImage("c.qcow2", 4096, 4 << 20);
    // Dirty bit set on a cleanly closed image: repair runs and must count the bitmaps.
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(72);
      long incompat = f.readLong();
      f.seek(72);
      f.writeLong(incompat | 1);
    }
    byte[] model = Qemu.rawContents(img, dir);
    try (Qcow2Image image = Qcow2Image.open(new PathLocation(img), OpenOptions.readWrite())) {
      image.disk().writeZeros(2 << 20, 8192);
    }
    java.util.Arrays.fill(model, 2 << 20, (2 << 20) + 8192, (byte) 0);
    RandomOps.assertQemuAgrees(img, model, dir, "repaired");
    List<long[]> all = new ArrayList<>(List.of(QEMU_WRITES));
    all.add(new long[] {2 << 20, 8192});
    assertEquals(granules(all, 4 << 20, granularityBits(img, "fine")),
        readBitmaps(img).get("fine"));
    assertEquals("\"auto\"", qemuFlags(img).get("fine"));
  }
}
