package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The zero flags of every L2 table (the active layer's and every snapshot's) rewritten for a
 * downgrade to compat 0.10, which has none, on a flushed image no cache holds. As qemu-img 7.2
 * does it (observed with a dump of the tables and {@code qemu-img check}):
 *
 * <ul>
 *   <li>a zero cluster without a host cluster becomes unallocated when no backing file shows
 *       through (v2 reads that as zeros), else a new cluster of zeros whose refcount is the
 *       table's refcount (every L1 table naming the table references it), {@code COPIED} when
 *       that is 1. A table shared by several L1 tables is changed in place, not copied;
 *   <li>a preallocated zero cluster keeps its host cluster, filled with zeros.
 * </ul>
 *
 * <p>Where qemu-img 7.2 breaks an image this does not: a preallocated zero cluster whose host
 * cluster some other entry reads as data (the active layer zeroed a cluster a snapshot still
 * holds) is filled with zeros by qemu-img, which changes the snapshot's content. Here such an
 * entry is treated as one without a host cluster, and its reference dropped afterwards.
 *
 * <p>Crash-safe without a second copy of the tables, because every step keeps what each entry
 * reads: the new clusters are counted and zero-filled and made durable before any entry names
 * them; each entry then changes from "zeros" (or "backing file" past none) to a cluster of
 * zeros or to unallocated, 8 bytes inside one sector, so a torn table write leaves each entry
 * old or new; references dropped last. A crash leaves a v3 image reading as before, some
 * clusters leaked at worst; the header write that follows is the switch to v2.
 */
final class ZeroClusterExpansion {
  /** The most table bytes one batch holds in memory. */
  private static final int BATCH_BYTES = 8 << 20;

  private final HostFile file;
  private final int clusterBits;
  private final int clusterSize;
  private final boolean backing;
  private final RefcountManager refcounts;

  private ZeroClusterExpansion(HostFile file, Header h, boolean backing) throws IOException {
    this.file = file;
    this.clusterBits = h.clusterBits();
    this.clusterSize = h.clusterSize();
    this.backing = backing;
    this.refcounts = RefcountManager.load(file, new HeaderUpdater(file, h));
  }

  /** One table's new entries, and what it needs. */
  private record Change(long offset, long refcount, long[] entries, List<Integer> fresh) {}

  /**
   * Rewrites the zero clusters of {@code tables} (distinct L2 table offsets of every L1 table).
   * Returns how many entries changed. The header may have been rewritten when the refcount
   * table had to grow: the caller reads it again.
   */
  static long run(HostFile file, Header h, List<Long> tables, boolean backing,
      ProgressListener listener) throws IOException {
    return new ZeroClusterExpansion(file, h, backing).run(tables, listener);
  }

  private long run(List<Long> tables, ProgressListener listener) throws IOException {
    Set<Long> unsafe = unsafeHosts(tables);
    Map<Long, Long> drops = new HashMap<>();
    long count = 0;
    // In batches, so that memory stays bounded whatever the image's size; each batch is
    // complete (its clusters durable before its tables) before the next begins.
    int batch = Math.max(1, BATCH_BYTES / clusterSize);
    for (int from = 0; from < tables.size(); from += batch) {
      count += batch(tables.subList(from, Math.min(tables.size(), from + batch)), unsafe, drops,
          listener);
    }
    // Only now does nothing name the host clusters an unsafe entry held.
    for (Map.Entry<Long, Long> d : drops.entrySet()) {
      long index = d.getKey() >>> clusterBits;
      refcounts.set(index, Math.max(0, refcounts.get(index) - d.getValue()));
    }
    if (!drops.isEmpty()) {
      refcounts.flush();
      file.force();
    }
    return count;
  }

  private long batch(List<Long> tables, Set<Long> unsafe, Map<Long, Long> drops,
      ProgressListener listener) throws IOException {
    List<Change> changes = new ArrayList<>();
    Set<Long> fill = new HashSet<>();
    long count = 0;
    for (long off : tables) {
      long[] t = ZeroExpansion.read(file, off, clusterSize);
      // A count of 0 (a corrupt image) would leave the new clusters free: count them once.
      long refcount = Math.max(1, refcounts.get(off >>> clusterBits));
      List<Integer> fresh = new ArrayList<>();
      boolean dirty = false;
      for (int k = 0; k < t.length; k++) {
        long w = t[k];
        if ((w & L2Entry.ZERO_FLAG) == 0 || (w & L2Entry.COMPRESSED) != 0) {
          continue;
        }
        long host = w & L2Entry.OFFSET_MASK;
        dirty = true;
        count++;
        if (host != 0 && !unsafe.contains(host)) {
          fill.add(host);
          t[k] = w & ~L2Entry.ZERO_FLAG;
          continue;
        }
        if (host != 0) {
          drops.merge(host, refcount, Long::sum);
        }
        t[k] = 0;
        if (backing) {
          fresh.add(k);
        }
      }
      if (dirty) {
        changes.add(new Change(off, refcount, t, fresh));
      }
      RefcountWidthChange.checkCancel(listener);
    }
    if (changes.isEmpty()) {
      return 0;
    }
    allocate(changes, fill);
    // New clusters counted and every cluster to be named filled with zeros, durably, before any
    // entry names it.
    refcounts.flush();
    file.force();
    for (Change c : changes) {
      ByteBuffer b = ByteBuffer.allocate(clusterSize);
      b.asLongBuffer().put(c.entries());
      file.write(b, c.offset());
    }
    file.force();
    return count;
  }

  /**
   * Host clusters a preallocated zero entry names that must not be filled with zeros: some
   * other entry reads them as data (or compressed data may start there), or they hold
   * metadata (a hostile image). Read from every table before anything changes.
   */
  private Set<Long> unsafeHosts(List<Long> tables) throws IOException {
    // Two passes, so that only the (few) preallocated zero clusters are remembered, not every
    // data cluster of the image.
    Set<Long> zeroHosts = new HashSet<>();
    for (long off : tables) {
      for (long w : ZeroExpansion.read(file, off, clusterSize)) {
        long host = w & L2Entry.OFFSET_MASK;
        if ((w & L2Entry.COMPRESSED) == 0 && (w & L2Entry.ZERO_FLAG) != 0 && host != 0) {
          zeroHosts.add(host);
        }
      }
    }
    Set<Long> unsafe = new HashSet<>();
    if (zeroHosts.isEmpty()) {
      return unsafe;
    }
    Set<Long> tableSet = new HashSet<>(tables);
    Set<Long> readAsData = new HashSet<>();
    for (long off : tables) {
      for (long w : ZeroExpansion.read(file, off, clusterSize)) {
        if ((w & L2Entry.COMPRESSED) != 0) {
          // A compressed cluster's bytes may start in any cluster and run into the next.
          long start = (w & ((1L << (62 - (clusterBits - 8))) - 1)) & ~(clusterSize - 1L);
          readAsData.add(start);
          readAsData.add(start + clusterSize);
        } else if ((w & L2Entry.ZERO_FLAG) == 0 && zeroHosts.contains(w & L2Entry.OFFSET_MASK)) {
          readAsData.add(w & L2Entry.OFFSET_MASK);
        }
      }
    }
    for (long host : zeroHosts) {
      if (tableSet.contains(host) || host < clusterSize || (host & (clusterSize - 1)) != 0
          || refcounts.isRefcountMetadata(host)
          || (readAsData.contains(host) && !holdsZeros(host))) {
        // (A cluster read as data that holds zeros already is safe to fill: a call cut short
        // after its zeros and some of its tables were written leaves exactly that behind.)
        unsafe.add(host);
      }
    }
    return unsafe;
  }

  private boolean holdsZeros(long host) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(clusterSize);
    file.readOrZero(b, host);
    for (int i = 0; i < clusterSize; i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Allocates the new clusters one by one, first fit, in the order of the tables and their
   * entries (as qemu-img does, so that both fill the same holes), counted as often as their
   * table is; names them in the entries; fills them and {@code fill} with zeros: clusters past
   * the end of the file by growing it (sparse, as qemu-img's write-zeroes leaves them), the
   * others by writing zeros.
   */
  private void allocate(List<Change> changes, Set<Long> fill) throws IOException {
    List<Long> clusters = new ArrayList<>(fill);
    for (Change c : changes) {
      for (int k : c.fresh()) {
        long host = refcounts.allocate(1);
        if (c.refcount() != 1) {
          refcounts.set(host >>> clusterBits, c.refcount());
        }
        c.entries()[k] = host | (c.refcount() == 1 ? L2Entry.COPIED : 0);
        clusters.add(host);
      }
    }
    long end = file.size();
    long grow = end;
    ByteBuffer zeros = ByteBuffer.allocate(clusterSize);
    for (long at : clusters) {
      if (at >= end) {
        grow = Math.max(grow, at + clusterSize);
      } else {
        zeros.clear();
        file.write(zeros, at);
      }
    }
    if (grow > end) {
      file.truncate(grow);
    }
  }
}
