package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Hands out L2 tables ready to modify (allocated when absent, copied when a snapshot shares them)
 * and keeps the active L1 table's entries in memory, dirty until the barrier writes them.
 */
final class TableUpdater {
  private final Qcow2Disk disk;
  private final L2Cache l2Cache;
  private final RefcountManager refcounts;
  private final ClusterAllocator allocator;
  private final FreeQueue frees;
  private final ClusterGeometry geometry;
  private final boolean externalData;
  private final BitSet dirtyL1 = new BitSet();
  /** Counts tables handed out for modification, so an operation can tell it changed nothing. */
  private long updates;

  TableUpdater(Qcow2Disk disk, RefcountManager refcounts, ClusterAllocator allocator,
      FreeQueue frees, ClusterGeometry geometry) {
    this.disk = disk;
    this.l2Cache = disk.l2Cache();
    this.refcounts = refcounts;
    this.allocator = allocator;
    this.frees = frees;
    this.geometry = geometry;
    this.externalData = disk.layout().externalData();
  }

  long updates() {
    return updates;
  }

  /**
   * The L2 table for {@code l1Index}, ready to modify: allocated when absent, copied when shared
   * with a snapshot, marked dirty in the cache.
   */
  long[] writableL2(long l1Index) throws IOException {
    updates++;
    long[] l1 = disk.l1();
    if (l1Index >= l1.length) {
      throw new IllegalStateException("L1 index " + l1Index + " past the L1 table");
    }
    long e = l1[(int) l1Index];
    long off = L1Entry.l2Offset(e);
    if (off == 0) {
      long fresh = allocator.allocate(1);
      long[] t = new long[geometry.clusterSize() / 8];
      l2Cache.putNew(fresh, t);
      setL1(l1Index, fresh | L1Entry.COPIED);
      return t;
    }
    if ((off & geometry.clusterMask()) != 0) {
      throw new CorruptImageException("L1 table entry " + l1Index, disk.l1Offset() + 8 * l1Index,
          "L2 table offset 0x" + Long.toHexString(off) + " is not cluster-aligned");
    }
    if ((e & L1Entry.COPIED) != 0) {
      return l2Cache.getForUpdate(off, l1Index);
    }
    long rc = refcounts.get(off >>> geometry.clusterBits());
    if (rc == 0) {
      throw new CorruptImageException("L2 table (L1 index " + l1Index + ")", off,
          "is in use but its refcount is 0");
    }
    if (rc == 1) {
      setL1(l1Index, off | L1Entry.COPIED);
      return l2Cache.getForUpdate(off, l1Index);
    }
    long[] t = l2Cache.get(off, l1Index).clone();
    int step = geometry.extended() ? 2 : 1;
    for (int i = 0; i < t.length; i += step) {
      long w = t[i];
      long h = w & L2Entry.OFFSET_MASK;
      if ((w & L2Entry.COMPRESSED) != 0 || h == 0 || externalData) {
        continue;
      }
      t[i] = refcounts.get(h >>> geometry.clusterBits()) == 1
          ? w | L2Entry.COPIED : w & ~L2Entry.COPIED;
    }
    long fresh = allocator.allocate(1);
    l2Cache.putNew(fresh, t);
    setL1(l1Index, fresh | L1Entry.COPIED);
    frees.add(off, geometry.clusterSize(), PendingFree.Kind.L2_TABLE);
    return t;
  }

  void setL1(long l1Index, long value) {
    allocator.l2Moved(L1Entry.l2Offset(disk.l1()[(int) l1Index]), L1Entry.l2Offset(value));
    disk.l1()[(int) l1Index] = value;
    dirtyL1.set((int) l1Index);
  }

  boolean l1Dirty() {
    return !dirtyL1.isEmpty();
  }

  /** Writes the dirty L1 entries in runs, each marked clean once its write succeeded. */
  void writeDirtyL1(HostFile image) throws IOException {
    long[] l1 = disk.l1();
    long base = disk.l1Offset();
    int i = dirtyL1.nextSetBit(0);
    while (i >= 0) {
      int j = dirtyL1.nextClearBit(i);
      ByteBuffer b = ByteBuffer.allocate((j - i) * 8);
      b.asLongBuffer().put(l1, i, j - i);
      image.write(b, base + 8L * i);
      dirtyL1.clear(i, j);
      i = dirtyL1.nextSetBit(j);
    }
  }
}
