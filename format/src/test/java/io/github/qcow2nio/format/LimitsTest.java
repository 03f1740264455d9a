package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import io.github.qcow2nio.format.struct.StructSource;
import io.github.qcow2nio.format.testing.Bytes;
import io.github.qcow2nio.format.testing.Golden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every bound of format/LIMITS.md, crafted twice: an image exactly at the bound, which opens (and
 * reads what the golden image holds), and one just past it, which is refused with an exception
 * naming the structure. The images start from c512.qcow2 (512-byte clusters, refcount table at
 * 0x200, L1 table of 8 entries at 0x600, file 0x2a00 bytes long): a structure made larger than
 * its place is moved to the end of the file, 0x2a00.
 */
class LimitsTest {
  static final int END = 0x2a00;
  static final OpenOptions OPEN = OpenOptions.builder().locking(false).openBacking(false).build();

  static Bytes c512() {
    return Bytes.of(Golden.bytes("c512.qcow2"));
  }

  /** Opens {@code img}, reads its first cluster as the golden image holds it; the image. */
  static Qcow2Image opens(byte[] img) throws IOException {
    Qcow2Image image = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", img), "a.qcow2"),
        OPEN);
    ByteBuffer b = ByteBuffer.allocate(1512);
    image.disk().read(b, 0);
    assertEquals(0x31, b.get(1000), "the golden data at 1000");
    return image;
  }

  static void opensAndCloses(byte[] img) throws IOException {
    opens(img).close();
  }

  /** Opening {@code img} fails with a Qcow2Exception whose message has every fragment. */
  static void refused(byte[] img, String... fragments) {
    IOException e = assertThrows(IOException.class, () -> Qcow2Image.open(
        new MemoryLocation(Map.of("a.qcow2", img), "a.qcow2"), OPEN).close());
    assertInstanceOf(Qcow2Exception.class, e, e::toString);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "'" + f + "' not in: " + e.getMessage());
    }
  }

  // ---- header fields

  @Test
  void clusterBits() throws IOException {
    opensAndCloses(c512().array());
    refused(c512().u32(20, 8).array(), "cluster_bits", "9..21");
    // 2 MiB clusters: the largest QEMU accepts. The parser's check, on a header alone.
    Header h = Header.parse(c512().u32(20, 21).buffer(), "a");
    assertEquals(2 << 20, h.clusterSize());
    refused(c512().u32(20, 22).array(), "cluster_bits", "9..21");
  }

  @Test
  void version() throws IOException {
    try (Qcow2Image i = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2",
        Golden.bytes("v2.qcow2")), "a.qcow2"), OPEN)) {
      assertEquals(2, i.header().version());
    }
    refused(c512().u32(4, 1).array(), "version 1");
    refused(c512().u32(4, 4).array(), "version 4");
  }

  @Test
  void headerLength() throws IOException {
    // 104 (no compression_type byte) up to the cluster size (unknown fields kept).
    opensAndCloses(c512().u32(100, 104).array());
    refused(c512().u32(100, 103).array(), "header_length", "at least 104");
    opensAndCloses(c512().u32(100, 512).array());
    refused(c512().u32(100, 513).array(), "header_length", "exceeds the cluster size");
  }

  @Test
  void refcountOrder() throws IOException {
    try (Qcow2Image i = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2",
        Golden.bytes("refcount64.qcow2")), "a.qcow2"), OPEN)) {
      assertEquals(6, i.header().refcountOrder());
    }
    refused(Bytes.of(Golden.bytes("refcount64.qcow2")).u32(96, 7).array(), "refcount_order");
  }

  // ---- the backing file name and the extensions

  /** v3-default (64 KiB clusters) naming a backing file of {@code len} bytes at 0x1000. */
  static byte[] backingName(int len) {
    Bytes b = Bytes.of(Golden.bytes("v3-default.qcow2"));
    return b.ascii(0x1000, "b".repeat(len)).u64(8, 0x1000).u32(16, len).array();
  }

  @Test
  void backingNameLength() throws IOException {
    try (Qcow2Image i = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", backingName(1023)),
        "a.qcow2"), OPEN)) {
      assertEquals(1023, i.backingFile().orElseThrow().length());
    }
    refused(backingName(1024), "backing file name", "too long");
  }

  @Test
  void backingNameInsideClusterZero() throws IOException {
    // c512: the name may end exactly at the end of cluster 0, not a byte later.
    opens(c512().ascii(500, "abcdefghijkl").u64(8, 500).u32(16, 12).array()).close();
    refused(c512().ascii(500, "abcdefghijkl").u64(8, 500).u32(16, 13).array(),
        "backing file name", "too long");
  }

  /** c512 with a backing-format extension of {@code len} bytes at 112. */
  static byte[] backingFormat(int len) {
    return c512().u32(112, 0xE2792ACAL).u32(116, len).ascii(120, "q".repeat(len)).array();
  }

  @Test
  void backingFormatLength() throws IOException {
    try (Qcow2Image i = opens(backingFormat(15))) {
      assertEquals(15, i.extensions().backingFormat().orElseThrow().length());
    }
    refused(backingFormat(16), "backing file format", "at most 15");
  }

  @Test
  void extensionAreaEndsAtClusterZerosEnd() throws IOException {
    // An unknown extension whose data ends exactly at byte 512 (the cluster's end) is kept.
    int len = 512 - 120;
    try (Qcow2Image i = opens(c512().u32(112, 0x12345678).u32(116, len).array())) {
      assertEquals(len, i.extensions().unknown().get(0).data().length);
    }
    refused(c512().u32(112, 0x12345678).u32(116, len + 1).array(), "header extension 0x12345678",
        "past the extension area's end");
  }

  // ---- tables

  /** c512 with an L1 table of {@code entries} at the end of the file, for a disk of {@code size}. */
  static byte[] bigL1(int entries, long size) {
    Bytes b = c512();
    byte[] first = b.range(0x600, 0x600 + 64);
    return b.resize(END + Math.min(entries, 4 << 20) * 8).put(END, first).u64(24, size)
        .u32(36, entries).u64(40, END).array();
  }

  @Test
  void l1TableOf32MiB() throws IOException {
    // 4 Mi entries of 32 KiB (512-byte clusters) map 128 GiB: the largest disk at that size.
    try (Qcow2Image i = opens(bigL1(4 << 20, 1L << 37))) {
      assertEquals(1L << 37, i.disk().size());
      ByteBuffer last = ByteBuffer.allocate(512);
      i.disk().read(last, (1L << 37) - 512);
    }
    refused(bigL1((4 << 20) + 1, 1L << 37), "active L1 table", "exceed 32 MiB");
    refused(bigL1(4 << 20, (1L << 37) + 512), "l1_size", "too small");
  }

  @Test
  void refcountTableOf8MiB() throws IOException {
    Bytes b = c512();
    byte[] table = b.range(0x200, 0x400);
    int clusters = 8 << 20 >> 9;
    opensAndCloses(b.resize(END + (8 << 20)).put(END, table).u64(48, END).u32(56, clusters)
        .array());
    refused(c512().u32(56, clusters + 1).array(), "refcount table", "at most 8388608");
  }

  /** c512 with {@code count} snapshots of the active L1 table, ids "0".."count-1", at the end. */
  static byte[] snapshots(int count) {
    ByteBuffer t = ByteBuffer.allocate(count * 48);
    for (int i = 0; i < count; i++) {
      byte[] id = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
      t.position(i * 48);
      t.putLong(0x600).putInt(8).putShort((short) id.length).putShort((short) 0).putInt(0)
          .putInt(0).putLong(0).putInt(0).putInt(0).put(id);
    }
    return c512().resize(END + t.capacity()).put(END, t.array()).u32(60, count).u64(64, END)
        .array();
  }

  @Test
  void snapshotCount() throws IOException {
    try (Qcow2Image i = opens(snapshots(SnapshotTable.MAX_SNAPSHOTS))) {
      assertEquals(65536, i.snapshots().size());
    }
    refused(Bytes.of(snapshots(SnapshotTable.MAX_SNAPSHOTS)).u32(60, 65537).array(),
        "snapshot table", "65537 snapshots; at most 65536");
  }

  /**
   * A snapshot table whose entries carry 1024 bytes of extra data (1064 bytes each), the last one
   * {@code lastName} bytes of name more: 63071 + 1 entries are 64 MiB with a 256-byte name.
   * Generated as it is read, so the test holds no 64 MiB file.
   */
  static StructSource syntheticTable(int count, int lastName) {
    long last = 1024L * 1024 + (long) (count - 1) * 1064;
    return (what, offset, length) -> {
      ByteBuffer b = ByteBuffer.allocate(length);
      boolean fixed = length == SnapshotEntry.FIXED_SIZE
          && ((offset - (1 << 20)) % 1064 == 0 || offset == last);
      if (fixed) {
        b.putLong(0, 0x600).putInt(8, 8).putShort(14, (short) (offset == last ? lastName : 0))
            .putInt(36, 1024);
      }
      return b;
    };
  }

  @Test
  void snapshotTableOf64MiB() throws IOException {
    Header h = Header.builder().clusterBits(9).nbSnapshots(63072).snapshotsOffset(1 << 20)
        .build();
    List<SnapshotEntry> all = SnapshotTable.read(syntheticTable(63072, 256), h);
    long bytes = all.stream().mapToLong(SnapshotEntry::length).sum();
    assertEquals(SnapshotTable.MAX_TABLE_SIZE, bytes);
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> SnapshotTable.read(syntheticTable(63072, 264), h));
    assertTrue(e.getMessage().contains("exceeds 64 MiB"), e.getMessage());
  }

  @Test
  void snapshotExtraData() throws IOException {
    for (int extra : new int[] {1024, 1025}) {
      ByteBuffer entry = ByteBuffer.allocate(40 + extra + 8);
      entry.putLong(0x600).putInt(8).putShort((short) 1).putShort((short) 0).putInt(0).putInt(0)
          .putLong(0).putInt(0).putInt(extra).position(40 + extra);
      entry.put((byte) '1');
      byte[] img = c512().resize(END + entry.capacity()).put(END, entry.array()).u32(60, 1)
          .u64(64, END).array();
      if (extra == 1024) {
        try (Qcow2Image i = opens(img)) {
          assertEquals(1024, i.snapshots().get(0).extraData().length);
        }
      } else {
        refused(img, "snapshot table entry 0", "extra data size 1025; at most 1024");
      }
    }
  }

  @Test
  void snapshotL1TableOf32MiB() throws IOException {
    // snapshot.qcow2: entry 0 at 0x1400 (L1 offset +0, L1 size +8); its disk is 256 KiB.
    Bytes b = Bytes.of(Golden.bytes("snapshot.qcow2"));
    int end = b.length();
    byte[] l1 = b.range((int) b.buffer().getLong(0x1400), (int) b.buffer().getLong(0x1400) + 64);
    byte[] at = b.resize(end + (32 << 20)).put(end, l1).u64(0x1400, end).u32(0x1408, 4 << 20)
        .array();
    try (Qcow2Image i = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", at), "a.qcow2"),
        OPEN)) {
      VirtualDisk d = i.snapshotDisk("snap1");
      ByteBuffer first = ByteBuffer.allocate(1);
      d.read(first, 0);
      assertEquals((byte) 0x91, first.get(0));
    }
    byte[] past = Bytes.of(at).u32(0x1408, (4 << 20) + 1).array();
    try (Qcow2Image i = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", past), "a.qcow2"),
        OPEN)) {
      CorruptImageException e = assertThrows(CorruptImageException.class,
          () -> i.snapshotDisk("snap1"));
      assertTrue(e.getMessage().contains("L1 table of snapshot 'snap1'"), e.getMessage());
    }
  }

  // ---- bitmaps

  /** One directory entry: table of {@code tableSize} at 0x200, granularity, name. */
  static byte[] bitmapEntry(int tableSize, int granularityBits, String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer e = ByteBuffer.allocate((24 + n.length + 7) & ~7);
    e.putLong(0x200).putInt(tableSize).putInt(0).put((byte) 1).put((byte) granularityBits)
        .putShort((short) n.length).putInt(0).put(n);
    return e.array();
  }

  /** c512 with a consistent bitmaps extension naming {@code nb} bitmaps in {@code dir}. */
  static byte[] bitmaps(int nb, byte[] dir) {
    return c512().u32(112, BitmapsExtension.TYPE).u32(116, 24).u32(120, nb).u32(124, 0)
        .u64(128, dir.length).u64(136, END).u64(88, 1).resize(END + dir.length).put(END, dir)
        .array();
  }

  @Test
  void bitmapCount() throws IOException {
    int max = BitmapsExtension.MAX_BITMAPS;
    ByteBuffer dir = ByteBuffer.allocate(max * 32);
    for (int i = 0; i < max; i++) {
      dir.put(bitmapEntry(1, 16, String.format("b%05d", i)));
    }
    try (Qcow2Image i = opens(bitmaps(max, dir.array()))) {
      assertEquals(max, i.bitmaps().size());
    }
    refused(Bytes.of(bitmaps(max, dir.array())).u32(120, max + 1).array(),
        "bitmaps header extension", "65536 bitmaps; at most 65535");
    refused(Bytes.of(bitmaps(max, dir.array())).u32(120, 0).array(),
        "bitmaps header extension", "zero bitmaps");
  }

  @Test
  void bitmapDirectorySize() throws IOException {
    // 65535 entries of exactly 1024 bytes (24 + a 1000-byte name): 67,107,840 bytes.
    int max = BitmapsExtension.MAX_BITMAPS;
    ByteBuffer dir = ByteBuffer.allocate((int) BitmapsExtension.MAX_DIRECTORY_SIZE);
    for (int i = 0; i < max; i++) {
      dir.put(bitmapEntry(1, 16, String.format("%01000d", i)));
    }
    try (Qcow2Image i = opens(bitmaps(max, dir.array()))) {
      assertEquals(max, i.bitmaps().size());
    }
    refused(Bytes.of(bitmaps(max, dir.array())).u64(128, BitmapsExtension.MAX_DIRECTORY_SIZE + 1)
        .array(), "bitmaps header extension", "bitmap directory size 67107841");
  }

  @Test
  void bitmapsExtensionLength() throws IOException {
    byte[] dir = bitmapEntry(1, 16, "b");
    opensAndCloses(bitmaps(1, dir));
    refused(Bytes.of(bitmaps(1, dir)).u32(116, 25).array(), "bitmaps header extension",
        "length 25; expected 24");
  }

  @Test
  void bitmapNameLength() throws IOException {
    opensAndCloses(bitmaps(1, bitmapEntry(1, 16, "n".repeat(1023))));
    refused(bitmaps(1, bitmapEntry(1, 16, "n".repeat(1024))), "bitmap directory entry 0",
        "name length 1024; expected 1..1023");
    refused(bitmaps(1, bitmapEntry(1, 16, "")), "bitmap directory entry 0", "name length 0");
  }

  @Test
  void bitmapGranularity() throws IOException {
    opensAndCloses(bitmaps(1, bitmapEntry(1, 9, "b")));
    opensAndCloses(bitmaps(1, bitmapEntry(1, 31, "b")));
    refused(bitmaps(1, bitmapEntry(1, 8, "b")), "granularity bits 8; expected 9..31");
    refused(bitmaps(1, bitmapEntry(1, 32, "b")), "granularity bits 32; expected 9..31");
  }

  @Test
  void bitmapTableOf512MiBOfBitmap() throws IOException {
    // 512-byte clusters: 1 Mi table entries address 512 MiB of bitmap, QEMU's largest.
    opensAndCloses(bitmaps(1, bitmapEntry(1 << 20, 16, "b")));
    refused(bitmaps(1, bitmapEntry((1 << 20) + 1, 16, "b")), "bitmap directory entry 0",
        "512 MiB");
    refused(bitmaps(1, bitmapEntry(0, 16, "b")), "bitmap directory entry 0",
        "bitmap table size 0");
  }

  // ---- backing chains

  @Test
  void backingChainDepth() throws IOException {
    int max = io.github.qcow2nio.format.struct.Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH;
    Map<String, byte[]> files = new HashMap<>();
    for (int i = 0; i <= max; i++) {
      files.put("d" + i, HostileImageTest.withBacking("c512.qcow2", "d" + (i + 1), "qcow2"));
    }
    files.put("d" + (max + 1), Golden.bytes("c512.qcow2"));
    OpenOptions o = OpenOptions.builder().locking(false).build();
    try (Qcow2Image i = Qcow2Image.open(new MemoryLocation(files, "d1"), o)) {
      // d1 has d2 .. d257 below it: exactly 256.
      ByteBuffer b = ByteBuffer.allocate(1);
      i.disk().read(b, 1000);
      assertEquals(0x31, b.get(0));
    }
    BackingChainException e = assertThrows(BackingChainException.class,
        () -> Qcow2Image.open(new MemoryLocation(files, "d0"), o).close());
    assertTrue(e.getMessage().contains("deeper than 256"), e.getMessage());
  }
}
