package io.github.qcow2nio.format.disk;

import static io.github.qcow2nio.format.disk.Qcow2Disk.COMPRESSED;
import static io.github.qcow2nio.format.disk.Qcow2Disk.NORMAL;
import static io.github.qcow2nio.format.disk.Qcow2Disk.TYPE_MASK;
import static io.github.qcow2nio.format.disk.Qcow2Disk.UNALLOCATED;
import static io.github.qcow2nio.format.disk.Qcow2Disk.ZERO;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;

/**
 * Block status of one qcow2 layer, as {@code qemu-img map} reports it: the run of units at a guest
 * offset that share a cluster type and lie contiguously on the host.
 *
 * <p>Unlike a read, it also reports where ZERO and UNALLOCATED units keep host storage
 * (preallocated zero clusters, unallocated subclusters of an allocated cluster): qemu-img map
 * shows those offsets, and a run must not join units that differ in having one.
 */
final class BlockStatus {
  /** In {@link #status}: the unit has host storage. Host offsets leave the low 9 bits free. */
  private static final long HAS_HOST = 4;
  private static final long STATUS_MASK = 7;

  private final Qcow2Disk disk;
  private final boolean externalData;
  private final boolean encrypted;
  private final int clusterBits;
  private final long clusterMask;
  private final int l1Shift;
  private final int l2Mask;
  private final int unitBits;
  private final long unitMask;
  private final boolean extended;

  /** @param encrypted whether data clusters are encrypted (their host offsets are not shown) */
  BlockStatus(Qcow2Disk disk, boolean encrypted) {
    this.disk = disk;
    this.encrypted = encrypted;
    this.externalData = disk.layout().externalData();
    ClusterGeometry g = disk.layout().geometry();
    this.clusterBits = g.clusterBits();
    this.clusterMask = g.clusterMask();
    this.l1Shift = g.l1Shift();
    this.l2Mask = (1 << g.l2Bits()) - 1;
    this.extended = g.extended();
    this.unitBits = g.unitBits();
    this.unitMask = (1L << unitBits) - 1;
  }

  /**
   * {@link Qcow2Disk#blockStatus}, with the caller holding the disk's read lock if it has one.
   *
   * <p>A run goes on across L2 tables (an unallocated L1 entry is passed over whole, from the
   * L1 table in memory): a mostly empty 8 TiB disk is a few runs, not one per 512 MiB.
   */
  Extent at(long offset, long maxLength) throws IOException {
    long size = disk.size();
    if (offset < 0 || offset >= size || maxLength <= 0) {
      throw new IllegalArgumentException(
          "block status at " + offset + " for " + maxLength + " bytes on a disk of " + size);
    }
    long end = offset + Math.min(maxLength, size - offset);
    long l1Index = offset >>> l1Shift;
    long[] table = disk.l2Table(l1Index);
    long first = status(table, l1Index, offset);
    int type = (int) (first & TYPE_MASK);
    boolean hasHost = (first & HAS_HOST) != 0;
    long host = (first & ~STATUS_MASK) + (offset & unitMask);
    long runEnd;
    if (type == COMPRESSED) {
      runEnd = Math.min(end, (offset | clusterMask) + 1);
    } else {
      runEnd = Math.min(end, (offset | unitMask) + 1);
      while (runEnd < end) {
        if (runEnd >>> l1Shift != l1Index) {
          l1Index = runEnd >>> l1Shift;
          table = disk.l2Table(l1Index);
          if (table == null && type == UNALLOCATED && !hasHost) {
            runEnd = Math.min(end, (l1Index + 1) << l1Shift);
            continue;
          }
        }
        long next = status(table, l1Index, runEnd);
        if ((int) (next & TYPE_MASK) != type || ((next & HAS_HOST) != 0) != hasHost
            || (hasHost && (next & ~STATUS_MASK) != host + (runEnd - offset))) {
          break;
        }
        runEnd = Math.min(end, runEnd + (1L << unitBits));
      }
    }
    ClusterType kind = switch (type) {
      case NORMAL -> ClusterType.NORMAL;
      case ZERO -> ClusterType.ZERO;
      case COMPRESSED -> ClusterType.COMPRESSED;
      default -> ClusterType.UNALLOCATED;
    };
    // As QEMU: the host bytes of an encrypted image are not the guest's, so block status (and
    // qemu-img map) gives no host offset for them.
    boolean showHost = hasHost && !encrypted;
    return new Extent(offset, runEnd - offset, kind, showHost ? host : Extent.NO_HOST);
  }

  /**
   * Like {@link Qcow2Disk#map}, and also the host offset of ZERO and UNALLOCATED units that keep
   * a host cluster, flagged by {@link #HAS_HOST}, since offset 0 is a valid place in an external
   * data file.
   */
  private long status(long[] table, long l1Index, long pos) throws IOException {
    long m = disk.map(table, l1Index, pos);
    int type = (int) (m & TYPE_MASK);
    if (type == NORMAL) {
      return m | HAS_HOST;
    }
    if (type == COMPRESSED || table == null) {
      return m;
    }
    int idx = (int) ((pos >>> clusterBits) & l2Mask);
    long word = extended ? table[2 * idx] : table[idx];
    long host = word & L2Entry.OFFSET_MASK;
    if (host == 0 && !(externalData && (word & L2Entry.COPIED) != 0)) {
      return m;
    }
    if (extended) {
      host += ((pos >>> unitBits) & 31) << unitBits;
    }
    return host | HAS_HOST | type;
  }
}
