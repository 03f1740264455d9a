package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.L1Entry;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands out host clusters and checks each, as QEMU's overlap checks do, against the live metadata
 * it must never be: the header, refcount table and blocks, the active L1 and L2 tables, bitmap
 * metadata, the snapshot table and the snapshots' L1 tables. Only wrong refcounts can make the
 * refcount allocator return such a cluster, and that makes the image corrupt.
 */
final class ClusterAllocator {
  private final RefcountManager refcounts;
  private final Qcow2Disk disk;
  private final int clusterSize;
  private List<long[]> fixedMetadata;
  private final Set<Long> activeL2 = new HashSet<>();
  private BitmapTracker bitmaps;

  /**
   * @param fixedMetadata host ranges ({offset, length}) of metadata this writer never changes: the
   *     snapshot table and the snapshots' L1 tables
   */
  ClusterAllocator(RefcountManager refcounts, Qcow2Disk disk, List<long[]> fixedMetadata) {
    this.refcounts = refcounts;
    this.disk = disk;
    this.clusterSize = 1 << disk.layout().clusterBits();
    this.fixedMetadata = List.copyOf(fixedMetadata);
    activeTablesChanged();
  }

  /** The active L1 table was replaced (a snapshot operation): its L2 tables are read anew. */
  void activeTablesChanged() {
    activeL2.clear();
    for (long e : disk.l1()) {
      long off = L1Entry.l2Offset(e);
      if (off != 0) {
        activeL2.add(off);
      }
    }
  }

  /** The snapshot table and the snapshots' L1 tables moved (a snapshot operation). */
  void setFixedMetadata(List<long[]> ranges) {
    this.fixedMetadata = List.copyOf(ranges);
  }

  void setBitmaps(BitmapTracker tracker) {
    this.bitmaps = tracker;
  }

  /** An L1 entry changed from naming the table at {@code old} to naming {@code now} (0: none). */
  void l2Moved(long old, long now) {
    if (old != 0) {
      activeL2.remove(old);
    }
    if (now != 0) {
      activeL2.add(now);
    }
  }

  /** Allocates {@code n} contiguous clusters (refcount 1 each) and returns the first's offset. */
  long allocate(long n) throws IOException {
    long host = refcounts.allocate(n);
    for (long k = 0; k < n; k++) {
      long c = host + k * clusterSize;
      String hit = overlap(c);
      if (hit != null) {
        throw new CorruptImageException("cluster allocation", c,
            "Preventing invalid write on metadata (overlaps with " + hit
                + "); the refcounts are wrong");
      }
    }
    return host;
  }

  /** The live metadata cluster {@code c} would overwrite, in QEMU's words, or null. */
  String overlap(long c) {
    if (c == 0) {
      return "qcow2_header";
    }
    if (refcounts.isRefcountMetadata(c)) {
      return "refcount table or block";
    }
    if (c + clusterSize > disk.l1Offset() && c < disk.l1Offset() + 8L * disk.l1().length) {
      return "active L1 table";
    }
    if (activeL2.contains(c)) {
      return "active L2 table";
    }
    if (bitmaps != null && bitmaps.isMetadata(c)) {
      return "bitmap directory or table";
    }
    for (long[] r : fixedMetadata) {
      if (c + clusterSize > r[0] && c < r[0] + r[1]) {
        return "snapshot table or inactive L1 table";
      }
    }
    return null;
  }
}
