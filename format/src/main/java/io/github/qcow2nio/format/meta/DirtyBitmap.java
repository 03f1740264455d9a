package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.io.StructReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;

/**
 * One persistent dirty bitmap's bits: its bitmap table, and its data clusters loaded on demand
 * (only the clusters a caller touches are held in memory). Bit n covers disk bytes
 * {@code [n * granularity, (n + 1) * granularity)}; bit 0 of a data byte is its least significant
 * bit. Changes made with {@link #set} stay in memory until a {@link BitmapTracker} stores them.
 */
public final class DirtyBitmap {
  /** Bitmap table entry: reserved bits, host offset bits, and the all-ones flag (bit 0). */
  public static final long ENTRY_RESERVED = 0xFF000000000001FEL;
  public static final long ENTRY_OFFSET = 0x00FFFFFFFFFFFE00L;
  public static final long ENTRY_ALL_ONES = 1L;

  private final HostFile file;
  private BitmapDirectoryEntry entry;
  private final int clusterSize;
  private final long bits;
  private final long[] table;
  private final byte[][] clusters;
  private final BitSet changed = new BitSet();

  private DirtyBitmap(HostFile file, BitmapDirectoryEntry entry, int clusterSize, long bits,
      long[] table) {
    this.file = file;
    this.entry = entry;
    this.clusterSize = clusterSize;
    this.bits = bits;
    this.table = table;
    this.clusters = new byte[table.length][];
  }

  /**
   * Reads the bitmap table of {@code entry} for a disk of {@code diskSize} bytes and checks it as
   * QEMU does when it loads a bitmap: the table must cover the disk, and its entries must have no
   * reserved bits set and point at aligned clusters.
   */
  public static DirtyBitmap load(HostFile file, int clusterBits, BitmapDirectoryEntry entry,
      long diskSize) throws IOException {
    int cs = 1 << clusterBits;
    String what = "bitmap table of '" + entry.name() + "'";
    long bits = (diskSize + entry.granularity() - 1) >>> entry.granularityBits();
    long needed = ((bits + 7) / 8 + cs - 1) >>> clusterBits;
    if (entry.inUse() && needed > Integer.toUnsignedLong(entry.tableSize())) {
      // An inconsistent bitmap may be stale in size too (QEMU does not check it): read what the
      // table holds.
      needed = entry.tableSize();
      bits = needed * cs * 8;
    }
    if (needed > Integer.toUnsignedLong(entry.tableSize())) {
      throw new CorruptImageException(what, entry.tableOffset(), entry.tableSize()
          + " entries cover less than the disk of " + diskSize + " bytes (" + needed
          + " needed)");
    }
    long fileSize = file.size();
    if (entry.tableOffset() > fileSize - 8L * entry.tableSize()) {
      throw new CorruptImageException(what, entry.tableOffset(), entry.tableSize()
          + " entries extend past the end of the file (" + fileSize + " bytes)");
    }
    // Only the entries the disk needs are read and checked: the rest is never used, and
    // reading it for each of 65,535 bitmaps could cost far more than the file holds.
    ByteBuffer b = new StructReader(file, fileSize).read(what, entry.tableOffset(),
        (int) needed * 8);
    long[] table = new long[(int) needed];
    b.asLongBuffer().get(table);
    for (int i = 0; i < table.length; i++) {
      long e = table[i];
      if ((e & ENTRY_RESERVED) != 0 || ((e & ENTRY_OFFSET) != 0 && (e & ENTRY_ALL_ONES) != 0)
          || (e & ENTRY_OFFSET & (cs - 1)) != 0) {
        throw new CorruptImageException(what + " entry " + i, entry.tableOffset() + 8L * i,
            String.format("0x%016x has reserved bits set or an unaligned offset", e));
      }
    }
    return new DirtyBitmap(file, entry, cs, bits, table);
  }

  /**
   * Refuses bitmaps whose tables together are larger than the file: in an image QEMU wrote each
   * table has clusters of its own, so tables that add up to more must overlap, and loading
   * them one by one would cost the bitmap count times the file (65,535 bitmaps naming one
   * table).
   */
  public static void checkTablesFitFile(List<BitmapDirectoryEntry> entries, long directoryOffset,
      long fileSize) throws IOException {
    long total = 0;
    for (BitmapDirectoryEntry e : entries) {
      total += 8L * Integer.toUnsignedLong(e.tableSize());
      if (total > fileSize) {
        throw new CorruptImageException("bitmap directory", directoryOffset, "the bitmap "
            + "tables add up to more than the file's " + fileSize + " bytes: they overlap or "
            + "run past its end");
      }
    }
  }

  public BitmapDirectoryEntry entry() {
    return entry;
  }

  /** Number of bits: one per granule of the disk. */
  public long size() {
    return bits;
  }

  /** True when the granule holding disk byte {@code offset} is marked dirty. */
  public boolean isDirty(long offset) throws IOException {
    return get(offset >>> entry.granularityBits());
  }

  public boolean get(long bit) throws IOException {
    // Bits past size() up to the end of the last cluster are readable: they must be zero.
    if (bit < 0 || bit >= (long) table.length * clusterSize * 8) {
      throw new IndexOutOfBoundsException("bit " + bit + " of " + bits);
    }
    long byteIndex = bit >>> 3;
    int ci = (int) (byteIndex / clusterSize);
    if (clusters[ci] == null) {
      long e = table[ci];
      if ((e & ENTRY_OFFSET) == 0) {
        return (e & ENTRY_ALL_ONES) != 0;
      }
    }
    return (cluster(ci)[(int) (byteIndex % clusterSize)] & (1 << (bit & 7))) != 0;
  }

  /** The number of set bits. */
  public long cardinality() throws IOException {
    long n = 0;
    for (long b = 0; b < bits; b++) {
      n += get(b) ? 1 : 0;
    }
    return n;
  }

  /**
   * The bits as bytes, bit n being bit {@code n % 8} of byte {@code n / 8}: what an operation
   * that rewrites a bitmap (clear, merge, copy) starts from.
   */
  public byte[] bytes() throws IOException {
    long n = (bits + 7) / 8;
    if (n > Integer.MAX_VALUE - 8) {
      throw new CorruptImageException("bitmap '" + entry.name() + "'", entry.tableOffset(),
          bits + " bits do not fit in memory");
    }
    byte[] out = new byte[(int) n];
    for (int ci = 0; (long) ci * clusterSize < n; ci++) {
      int len = (int) Math.min(clusterSize, n - (long) ci * clusterSize);
      if (clusters[ci] == null && (table[ci] & ENTRY_OFFSET) == 0) {
        if ((table[ci] & ENTRY_ALL_ONES) != 0) {
          java.util.Arrays.fill(out, ci * clusterSize, ci * clusterSize + len, (byte) 0xFF);
        }
        continue;
      }
      System.arraycopy(cluster(ci), 0, out, ci * clusterSize, len);
    }
    // Tail bits past the disk's end read as zero whatever the file holds.
    if (bits % 8 != 0) {
      out[out.length - 1] &= (byte) ((1 << (bits % 8)) - 1);
    }
    return out;
  }

  /** Marks every granule that {@code [offset, offset + length)} touches. */
  public void set(long offset, long length) throws IOException {
    if (length <= 0) {
      return;
    }
    long first = offset >>> entry.granularityBits();
    long last = Math.min(bits - 1, (offset + length - 1) >>> entry.granularityBits());
    for (long b = first; b <= last; b++) {
      long byteIndex = b >>> 3;
      int ci = (int) (byteIndex / clusterSize);
      if (clusters[ci] == null && (table[ci] & ENTRY_OFFSET) == 0
          && (table[ci] & ENTRY_ALL_ONES) != 0) {
        // Already all ones: skip the rest of this cluster's bits.
        b = ((long) (ci + 1) * clusterSize * 8) - 1;
        continue;
      }
      byte[] c = cluster(ci);
      int i = (int) (byteIndex % clusterSize);
      int m = 1 << (b & 7);
      if ((c[i] & m) == 0) {
        c[i] |= (byte) m;
        changed.set(ci);
      }
    }
  }

  /** Table indexes whose data changed in memory since loading (or the last {@link #stored}). */
  BitSet changed() {
    return changed;
  }

  long[] table() {
    return table;
  }

  byte[] cluster(int ci) throws IOException {
    byte[] c = clusters[ci];
    if (c == null) {
      c = new byte[clusterSize];
      long e = table[ci];
      long off = e & ENTRY_OFFSET;
      if (off != 0) {
        ByteBuffer b = new StructReader(file, file.size()).read("bitmap data of '"
            + entry.name() + "' (table entry " + ci + ")", off, clusterSize);
        b.get(c);
      } else if ((e & ENTRY_ALL_ONES) != 0) {
        java.util.Arrays.fill(c, (byte) 0xFF);
      }
      clusters[ci] = c;
    }
    return c;
  }

  /**
   * This bitmap for a disk of {@code newDiskSize} bytes, as QEMU resizes bitmaps: bits past the
   * new end are dropped, new bits are clear. The table is sized exactly for the new disk; its
   * entries past the new size are dropped (their data clusters are added to {@code dropped}), and
   * the last kept cluster has its tail bits cleared. The result's table is not on disk yet.
   */
  DirtyBitmap resized(long newDiskSize, List<Long> dropped) throws IOException {
    long newBits = (newDiskSize + entry.granularity() - 1) >>> entry.granularityBits();
    int n = (int) Math.max(1, ((newBits + 7) / 8 + clusterSize - 1) / clusterSize);
    long[] newTable = java.util.Arrays.copyOf(table, n);
    DirtyBitmap r = new DirtyBitmap(file, entry, clusterSize, newBits, newTable);
    for (int ci = 0; ci < Math.min(n, table.length); ci++) {
      r.clusters[ci] = clusters[ci];
      if (changed.get(ci)) {
        r.changed.set(ci);
      }
    }
    for (int ci = n; ci < table.length; ci++) {
      if ((table[ci] & ENTRY_OFFSET) != 0) {
        dropped.add(table[ci] & ENTRY_OFFSET);
      }
    }
    // Bits from newBits to the end of the kept clusters must read as zero.
    long end = Math.min(bits, (long) n * clusterSize * 8);
    for (long b = newBits; b < end; b++) {
      int ci = (int) ((b >>> 3) / clusterSize);
      if (r.get(b)) {
        byte[] c = r.cluster(ci);
        c[(int) ((b >>> 3) % clusterSize)] &= (byte) ~(1 << (b & 7));
        r.changed.set(ci);
      }
    }
    return r;
  }

  /** The table now lives where {@code moved} says. */
  void relocated(BitmapDirectoryEntry moved) {
    this.entry = moved;
  }

  /** Called once the changes have been written: the table now says {@code newTable}. */
  void stored(int ci, long newEntry) {
    table[ci] = newEntry;
    changed.clear(ci);
  }
}
