package io.github.qcow2nio.format.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.testing.Bytes;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bitmap directory, built by hand from qcow2-facts.md 10.2. */
class BitmapDirectoryEntryTest {
  static final int DIR = 0x2000;
  static final Header H = SnapshotTableTest.header(0, 0);

  /** Entry: table at 0x3000 of 2 entries, flags in_use|auto, type 1, granularity 16, "bm-one". */
  static Bytes one() {
    return new Bytes(32).u64(0, 0x3000).u32(8, 2).u32(12, 3).u8(16, 1).u8(17, 16).u16(18, 6)
        .u32(20, 0).ascii(24, "bm-one");
  }

  /** Entry: name of 8 bytes exactly (no padding), flags 0, granularity 9. */
  static Bytes two() {
    return new Bytes(32).u64(0, 0x4000).u32(8, 1).u32(12, 0).u8(16, 1).u8(17, 9).u16(18, 8)
        .ascii(24, "second!!");
  }

  static List<BitmapDirectoryEntry> read(int nb, Bytes... entries) throws IOException {
    Bytes f = new Bytes(DIR);
    int size = 0;
    for (Bytes e : entries) {
      f.resize(DIR + size + e.length()).put(DIR + size, e.array());
      size += e.length();
    }
    return BitmapDirectoryEntry.readDirectory(new StructReader(
        new MemoryHostFile("t", f.array(), false), f.array().length), H,
        new BitmapsExtension(nb, size, DIR));
  }

  @Test
  void readsEntries() throws IOException {
    List<BitmapDirectoryEntry> l = read(2, one(), two());
    assertEquals(new BitmapDirectoryEntry(0x3000, 2, 3, 1, 16, "bm-one"), l.get(0));
    assertTrue(l.get(0).inUse());
    assertTrue(l.get(0).auto());
    assertEquals(65536, l.get(0).granularity());
    assertEquals(new BitmapDirectoryEntry(0x4000, 1, 0, 1, 9, "second!!"), l.get(1));
    assertFalse(l.get(1).inUse());
    assertFalse(l.get(1).auto());
  }

  static CorruptImageException fails(int nb, Bytes... entries) {
    return assertThrows(CorruptImageException.class, () -> read(nb, entries));
  }

  @Test
  void constraints() {
    for (Bytes bad : List.of(
        one().u32(12, 4),                 // extra_data_compatible: reserved for QEMU
        one().u32(12, 0x80000000L),
        one().u8(16, 0),                  // type
        one().u8(16, 2),
        one().u32(8, 0),                  // table size
        one().u32(8, (1 << 27) + 1),
        one().u64(0, 0),                  // table offset
        one().u64(0, 0x3100),
        one().u8(17, 8),                  // granularity
        one().u8(17, 32))) {
      var e = fails(1, bad);
      assertEquals(DIR, e.offset());
      assertTrue(e.getMessage().contains("bm-one"), e.getMessage());
    }
  }

  @Test
  void emptyName() {
    assertEquals(DIR, fails(1, one().u16(18, 0)).offset());
  }

  @Test
  void extraDataNotSupported() {
    Bytes e = new Bytes(40).put(0, one().range(0, 24)).u32(20, 8).ascii(32, "bm-one");
    assertTrue(fails(1, e).getMessage().contains("extra data"));
  }

  @Test
  void countMismatch() {
    assertTrue(fails(1, one(), two()).getMessage().contains("more bitmaps"));
    assertTrue(fails(3, one(), two()).getMessage().contains("less bitmaps"));
  }

  @Test
  void entryRunningPastTheDirectory() {
    var e = fails(1, one().u16(18, 200));
    assertTrue(e.getMessage().contains("broken bitmap directory"), e.getMessage());
    var t = fails(1, new Bytes(16).put(0, one().range(0, 16)));
    assertTrue(t.getMessage().contains("truncated"), t.getMessage());
  }

  @Test
  void directoryPastTheEndOfTheFile() {
    MemoryHostFile f = new MemoryHostFile("t", new byte[DIR + 8], false);
    StructReader r = new StructReader(f, DIR + 8);
    assertThrows(CorruptImageException.class, () -> BitmapDirectoryEntry.readDirectory(r, H,
        new BitmapsExtension(1, 32, DIR)));
  }
}
