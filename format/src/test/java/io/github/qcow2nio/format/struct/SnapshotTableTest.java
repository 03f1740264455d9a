package io.github.qcow2nio.format.struct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.testing.Bytes;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snapshot table, built by hand from the entry layout of qcow2-facts.md 9.1. */
class SnapshotTableTest {
  static final int TABLE = 0x1000;

  static Header header(int nb, long offset) {
    return new Header(3, 0, 0, 12, 1 << 20, 0, 1, 0x3000, 0x1000, 1, nb, offset, 0, 0, 0, 4,
        112, 0, null);
  }

  /** Entry 0: v3 layout, 24 bytes of extra data, id "1", name "snap1" (72 bytes, 3 padding). */
  static Bytes entry0() {
    return new Bytes(72)
        .u64(0, 0x5000).u32(8, 2).u16(12, 1).u16(14, 5)
        .u32(16, 1700000000L).u32(20, 123456789).u64(24, 5_000_000_000L)
        .u32(32, 0x1000).u32(36, 24)
        .u64(40, 0x1000).u64(48, 1 << 20).u64(56, -1L)
        .ascii(64, "1").ascii(65, "snap1");
  }

  /** Entry 1: a VM state over 4 GiB (32-bit field 0), 40 bytes of extra data with unknown ones. */
  static Bytes entry1() {
    return new Bytes(96)
        .u64(0, 0x6000).u32(8, 1).u16(12, 2).u16(14, 10)
        .u32(16, 0xFFFFFFFFL).u32(20, 999999999).u64(24, 1)
        .u32(32, 0).u32(36, 40)
        .u64(40, 0x1_0000_0000L).u64(48, 2 << 20).u64(56, 77).u64(64, 0xAAAA).u64(72, 0xBBBB)
        .ascii(80, "22").ascii(82, "name-of-10");
  }

  /** Entry 2: a v2-style entry without extra data. */
  static Bytes entry2() {
    return new Bytes(48).u64(0, 0x7000).u32(8, 1).u16(12, 1).u16(14, 1).u32(32, 4096)
        .ascii(40, "3").ascii(41, "x");
  }

  static StructSource file(Bytes... entries) {
    Bytes f = new Bytes(TABLE + 4096);
    int p = TABLE;
    for (Bytes e : entries) {
      f.put(p, e.array());
      p += e.length();
    }
    return source(f.resize(Math.max(p, TABLE)).array());
  }

  @Test
  void readsEveryField() throws IOException {
    List<SnapshotEntry> s = SnapshotTable.read(file(entry0(), entry1(), entry2()),
        header(3, TABLE));
    assertEquals(3, s.size());
    SnapshotEntry a = s.get(0);
    assertEquals(0x5000, a.l1TableOffset());
    assertEquals(2, a.l1Size());
    assertEquals("1", a.id());
    assertEquals("snap1", a.name());
    assertEquals(1700000000L, a.dateSeconds());
    assertEquals(123456789, a.dateNanos());
    assertEquals(5_000_000_000L, a.vmClockNanos());
    assertEquals(0x1000, a.vmStateSize());
    assertEquals(1 << 20, a.diskSize());
    assertEquals(-1L, a.icount());
    assertEquals(72, a.length());
    SnapshotEntry b = s.get(1);
    assertEquals(0xFFFFFFFFL, b.dateSeconds());
    assertEquals(0x1_0000_0000L, b.vmStateSize(), "the 64-bit field wins");
    assertEquals(2 << 20, b.diskSize());
    assertEquals(77, b.icount());
    assertArrayEquals(entry1().range(40, 80), b.extraData(), "unknown extra data kept");
    assertEquals("22", b.id());
    assertEquals("name-of-10", b.name());
    SnapshotEntry c = s.get(2);
    assertEquals(4096, c.vmStateSize(), "no extra data: the 32-bit field");
    assertEquals(-1, c.diskSize());
    assertEquals(-1, c.icount());
  }

  @Test
  void entriesSerializeToTheirBytes() throws IOException {
    List<SnapshotEntry> s = SnapshotTable.read(file(entry0(), entry1(), entry2()),
        header(3, TABLE));
    assertArrayEquals(entry0().array(), s.get(0).toBytes());
    assertArrayEquals(entry1().array(), s.get(1).toBytes());
    assertArrayEquals(entry2().array(), s.get(2).toBytes());
  }

  @Test
  void extraDataIsCopied() throws IOException {
    SnapshotEntry e = SnapshotTable.read(file(entry0()), header(1, TABLE)).get(0);
    e.extraData()[0] = 9;
    assertArrayEquals(entry0().range(40, 64), e.extraData());
  }

  @Test
  void noSnapshots() throws IOException {
    assertEquals(List.of(), SnapshotTable.read(file(), header(0, 0)));
  }

  /** The bytes as the opener reads them: refused past their end. */
  static StructSource source(byte[] bytes) {
    return new StructReader(new MemoryHostFile("t", bytes, false), bytes.length);
  }

  static CorruptImageException fails(StructSource f, Header h) {
    return assertThrows(CorruptImageException.class, () -> SnapshotTable.read(f, h));
  }

  @Test
  void unalignedTableOffset() {
    assertEquals(0x1200, fails(file(), header(0, 0x1200)).offset());
    assertEquals(0x1200, fails(file(), header(1, 0x1200)).offset());
  }

  @Test
  void tooManySnapshots() {
    var e = fails(file(entry0()), header(65537, TABLE));
    assertTrue(e.getMessage().contains("65537"), e.getMessage());
    fails(file(entry0()), header(-1, TABLE));
  }

  @Test
  void manySnapshotsPastTheEndOfTheFile() {
    var e = fails(file(entry0()), header(65536, TABLE));
    assertEquals(TABLE + 72, e.offset());
    assertTrue(e.getMessage().contains("snapshot table entry 1"), e.getMessage());
  }

  @Test
  void tableAtOffsetZero() {
    fails(file(entry0()), header(1, 0));
  }

  @Test
  void extraDataTooLarge() {
    var e = fails(file(entry0().u32(36, 1025).resize(2048)), header(1, TABLE));
    assertEquals(TABLE, e.offset());
    assertTrue(e.getMessage().contains("1025"), e.getMessage());
  }

  @Test
  void extraDataOfExactly1024() throws IOException {
    Bytes big = new Bytes(1072).put(0, entry0().range(0, 40)).u32(36, 1024).u16(12, 1)
        .u16(14, 1).ascii(1064, "1").ascii(1065, "n");
    assertEquals(1024, SnapshotTable.read(file(big), header(1, TABLE)).get(0)
        .extraData().length);
  }

  @Test
  void idAndNamePastTheEndOfTheFile() {
    Bytes f = new Bytes(TABLE + 72).put(TABLE, entry0().u16(14, 0xFFFF).array());
    var e = fails(source(f.array()), header(1, TABLE));
    assertEquals(TABLE + 40, e.offset());
    Bytes g = new Bytes(TABLE + 72).put(TABLE, entry0().u16(12, 0xFFFF).array());
    fails(source(g.array()), header(1, TABLE));
  }

  @Test
  void fixedPartPastTheEndOfTheFile() {
    Bytes f = new Bytes(TABLE + 20).put(TABLE, entry0().range(0, 20));
    assertEquals(TABLE, fails(source(f.array()), header(1, TABLE))
        .offset());
  }

  @Test
  void snapshotL1IsNotCheckedUntilUsed() throws IOException {
    // qemu-img 7.2 opens (and converts the active disk of) an image whose snapshot has an
    // unaligned L1 offset or an L1 table over 32 MiB; the snapshot fails only when used.
    SnapshotEntry e = SnapshotTable.read(file(entry0().u64(0, 0x5200).u32(8, 4 * 1024 * 1024
        + 1)), header(1, TABLE)).get(0);
    assertEquals(0x5200, e.l1TableOffset());
    assertEquals(4 * 1024 * 1024 + 1, e.l1Size());
  }
}
