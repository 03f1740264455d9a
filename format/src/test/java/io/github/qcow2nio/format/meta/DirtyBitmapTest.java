package io.github.qcow2nio.format.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One persistent bitmap's table and bits: the three kinds of table entry (clear, all ones, a data
 * cluster), setting bits at granule resolution, resizing as qemu-img does, and the checks QEMU
 * makes when it loads a bitmap.
 */
class DirtyBitmapTest {
  private static final int CLUSTER_BITS = 9;
  private static final int CLUSTER = 1 << CLUSTER_BITS;
  private static final long TABLE = 4 * CLUSTER;
  private static final long DATA = 5 * CLUSTER;
  /** 512-byte granules: one cluster of bitmap (4096 bits) covers 2 MiB of disk. */
  private static final int GRAN_BITS = 9;
  private static final long DISK = 6L << 20; // three table entries

  /** A file with a three-entry table (clear, all ones, data) and the data cluster's bits. */
  private static MemoryHostFile file(long... entries) throws IOException {
    MemoryHostFile f = new MemoryHostFile("t", new byte[(int) DATA + CLUSTER], true);
    ByteBuffer t = ByteBuffer.allocate(8 * entries.length);
    for (long e : entries) {
      t.putLong(e);
    }
    f.write(t.flip(), TABLE);
    ByteBuffer d = ByteBuffer.allocate(CLUSTER);
    d.put(0, (byte) 0b0000_0101); // bits 0 and 2 of the third cluster's range
    f.write(d, DATA);
    return f;
  }

  private static BitmapDirectoryEntry entry(int tableSize) {
    return new BitmapDirectoryEntry(TABLE, tableSize, BitmapDirectoryEntry.FLAG_AUTO, 1, GRAN_BITS,
        "b");
  }

  private static DirtyBitmap standard() throws IOException {
    return DirtyBitmap.load(file(0, DirtyBitmap.ENTRY_ALL_ONES, DATA), CLUSTER_BITS, entry(3),
        DISK);
  }

  @Test
  void readsTheThreeKindsOfEntry() throws IOException {
    DirtyBitmap b = standard();
    long perCluster = 8L * CLUSTER;
    assertEquals(DISK >>> GRAN_BITS, b.size());
    assertFalse(b.get(0));
    assertFalse(b.get(perCluster - 1));
    assertTrue(b.get(perCluster));
    assertTrue(b.get(2 * perCluster - 1));
    assertTrue(b.get(2 * perCluster));
    assertFalse(b.get(2 * perCluster + 1));
    assertTrue(b.get(2 * perCluster + 2));
    assertEquals(perCluster + 2, b.cardinality());
    assertTrue(b.isDirty((perCluster << GRAN_BITS) + 5));
  }

  @Test
  void setsEveryGranuleARangeTouches() throws IOException {
    DirtyBitmap b = standard();
    b.set(1000, 24); // granule 1 only (512..1023 holds 1000..1023)
    assertTrue(b.get(1));
    assertFalse(b.get(0));
    assertFalse(b.get(2));
    b.set(1023, 2); // granules 1 and 2
    assertTrue(b.get(2));
    assertEquals(List.of(0), b.changed().stream().boxed().toList());
    // Setting bits in an all-ones cluster changes nothing, and loads nothing.
    b.set(8L * CLUSTER << GRAN_BITS, 4096);
    assertEquals(List.of(0), b.changed().stream().boxed().toList());
  }

  @Test
  void resizingDropsBitsPastTheNewEndAndAddsClearOnes() throws IOException {
    DirtyBitmap b = standard();
    List<Long> dropped = new ArrayList<>();
    // Down to half of the second entry's range: the data cluster's entry is dropped, and the
    // all-ones cluster keeps only the bits below the new end.
    long newDisk = 3L << 20;
    DirtyBitmap small = b.resized(newDisk, dropped);
    assertEquals(List.of(DATA), dropped);
    assertEquals(newDisk >>> GRAN_BITS, small.size());
    long perCluster = 8L * CLUSTER;
    assertTrue(small.get(perCluster));
    assertTrue(small.get(small.size() - 1));
    assertFalse(small.get(small.size()), "past the new end reads clear");
    assertTrue(small.changed().get(1));
    DirtyBitmap grown = small.resized(DISK, dropped);
    assertFalse(grown.get(small.size()), "the grown part is clean");
    assertFalse(grown.get(2 * perCluster + 2));
    assertEquals(small.cardinality(), grown.cardinality());
  }

  @Test
  void refusesWhatQemuRefusesOnLoad() throws IOException {
    assertThrows(CorruptImageException.class, () -> DirtyBitmap.load(
        file(0, 0x2L, 0), CLUSTER_BITS, entry(3), DISK), "a reserved bit");
    assertThrows(CorruptImageException.class, () -> DirtyBitmap.load(
        file(0, DATA + 8, 0), CLUSTER_BITS, entry(3), DISK), "an unaligned data offset");
    assertThrows(CorruptImageException.class, () -> DirtyBitmap.load(
        file(0, DATA | DirtyBitmap.ENTRY_ALL_ONES, 0), CLUSTER_BITS, entry(3), DISK),
        "an offset and the all-ones flag together");
    assertThrows(CorruptImageException.class, () -> DirtyBitmap.load(
        file(0, 0), CLUSTER_BITS, entry(2), DISK), "a table too small for the disk");
  }
}
