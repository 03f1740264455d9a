package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Stores compressed clusters as QEMU does (qcow2-facts.md, 5.3): only over an entry with no host
 * offset, the bytes packed at byte granularity after the previous compressed cluster, in the same
 * host cluster while they fit, straddling into the next one when the allocator hands out the
 * cluster right after it, else in a fresh cluster; every host cluster the bytes touch gains a
 * reference. The entry is set only after the bytes are written, and refcounts reach the file
 * before the L2 table (the barrier), so a failure or a crash leaks at worst.
 *
 * <p>The packing position lives in memory only, as QEMU's; it is dropped when any cluster was
 * freed since (the packing cluster may have been freed and handed out again, with the same
 * refcount), when its refcount is not what this unit left there (a snapshot took a reference), or
 * when it is at the refcount maximum.
 * Runs under the disk's write lock.
 */
final class CompressedClusterWriter {
  private final Qcow2Disk disk;
  private final HostFile data;
  private final RefcountManager refcounts;
  private final ClusterAllocator allocator;
  private final TableUpdater tables;
  private final PendingRun run;
  private final WriteBarrier barrier;
  private final ClusterGeometry g;
  private final int clusterBits;
  private final long clusterMask;
  /** Where the next compressed bytes go; 0 when a fresh host cluster is needed. */
  private long freeByte;
  /** The refcount this unit left on {@code freeByte}'s host cluster. */
  private long expectedRefcount;
  /** {@link RefcountManager#zeroedCount()} when {@code freeByte} was set. */
  private long generation;

  CompressedClusterWriter(Qcow2Disk disk, RefcountManager refcounts, ClusterAllocator allocator,
      TableUpdater tables, PendingRun run, WriteBarrier barrier, ClusterGeometry geometry) {
    this.disk = disk;
    this.data = disk.dataFile();
    this.refcounts = refcounts;
    this.allocator = allocator;
    this.tables = tables;
    this.run = run;
    this.barrier = barrier;
    this.g = geometry;
    this.clusterBits = geometry.clusterBits();
    this.clusterMask = geometry.clusterMask();
  }

  /**
   * Refuses what is not a compressed cluster (a whole guest cluster packed into fewer bytes than a
   * cluster) and, as QEMU, an image with an external data file.
   */
  void checkArguments(long cStart, int length) throws UnsupportedImageException {
    if ((cStart & clusterMask) != 0 || length <= 0 || length >= g.clusterSize()) {
      throw new IllegalArgumentException("a compressed cluster is a whole cluster of fewer than "
          + g.clusterSize() + " compressed bytes (at " + cStart + ", " + length + ")");
    }
    if (disk.layout().externalData()) {
      throw new UnsupportedImageException(disk.name() + ": compressed writes are not supported"
          + " with an external data file (Operation not supported)");
    }
    refuseEncrypted(disk);
  }

  /**
   * QEMU writes compressed clusters of an encrypted image unencrypted, which would leave guest
   * data readable in the file: refused here instead.
   */
  static void refuseEncrypted(Qcow2Disk disk) throws UnsupportedImageException {
    if (disk.isEncrypted()) {
      throw new UnsupportedImageException(disk.name() + ": compressed writes are not supported "
          + "on encrypted images (QEMU would store the compressed clusters unencrypted)");
    }
  }

  /**
   * True when the guest cluster at {@code cStart} has no host storage (unallocated or a plain zero
   * cluster), the only kind QEMU writes compressed.
   */
  boolean eligible(long cStart) throws IOException {
    long l1Index = g.l1Index(cStart);
    long[] table = disk.l2Table(l1Index);
    if (table == null) {
      return true;
    }
    long word = table[g.wordIndex(g.l2Index(cStart))];
    return (word & L2Entry.COMPRESSED) == 0 && (word & L2Entry.OFFSET_MASK) == 0;
  }

  /**
   * Stores {@code packed[0..length)} as the guest cluster at {@code cStart}; false (nothing
   * changed) when that cluster has host storage now.
   */
  boolean write(long cStart, byte[] packed, int length) throws IOException {
    if (!eligible(cStart)) {
      return false;
    }
    barrier.ensureCacheRoom();
    long l1Index = g.l1Index(cStart);
    // The L2 table first, then the bytes, as QEMU allocates them.
    long[] table = tables.writableL2(l1Index);
    int wi = g.wordIndex(g.l2Index(cStart));
    long host = place(length);
    run.write();
    data.write(ByteBuffer.wrap(packed, 0, length), host);
    barrier.dataWritten();
    table[wi] = CompressedDescriptor.of(host, length).encode(clusterBits);
    if (g.extended()) {
      table[wi + 1] = 0;
    }
    return true;
  }

  /** Finds room for {@code length} bytes and takes one reference on each host cluster touched. */
  private long place(int length) throws IOException {
    long at = freeByte;
    if (at != 0 && (generation != refcounts.zeroedCount()
        || Long.compareUnsigned(expectedRefcount, refcounts.maxValue()) >= 0
        || refcounts.get(at >>> clusterBits) != expectedRefcount)) {
      at = 0;
    }
    long room = at == 0 ? 0 : (1L << clusterBits) - (at & clusterMask);
    long fresh = -1;
    if (room < length) {
      fresh = allocator.allocate(1);
      if (at == 0 || ((at | clusterMask) + 1) != fresh) {
        at = fresh;
      }
    }
    if (at + length - 1 > CompressedDescriptor.offsetMask(clusterBits)) {
      throw new Qcow2Exception(disk.name() + ": compressed data at 0x" + Long.toHexString(at)
          + " would lie past what a compressed cluster descriptor can address with "
          + (1L << clusterBits) + "-byte clusters");
    }
    long first = at >>> clusterBits;
    long last = (at + length - 1) >>> clusterBits;
    for (long c = first; c <= last; c++) {
      if (fresh < 0 || c != fresh >>> clusterBits) {
        refcounts.increment(c);
      }
    }
    long next = at + length;
    if ((next & clusterMask) == 0) {
      freeByte = 0;
    } else {
      freeByte = next;
      expectedRefcount = refcounts.get(next >>> clusterBits);
      generation = refcounts.zeroedCount();
    }
    return at;
  }
}
