package io.github.qcow2nio.format.disk;

import static io.github.qcow2nio.format.disk.Qcow2Disk.COMPRESSED;
import static io.github.qcow2nio.format.disk.Qcow2Disk.NORMAL;
import static io.github.qcow2nio.format.disk.Qcow2Disk.UNALLOCATED;
import static io.github.qcow2nio.format.disk.Qcow2Disk.ZERO;

import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;

/**
 * What an L2 table entry (a standard or compressed cluster descriptor, and with extended L2 the
 * subcluster allocation bitmap) says about one guest unit: its cluster type and host offset.
 *
 * <p>Entries come straight from the image, so the combinations the specification forbids are
 * refused here, where every read passes, rather than trusted: a descriptor that is not
 * cluster-aligned, compression or a zero flag where the image cannot have them, bitmap bits that
 * contradict each other or the descriptor.
 */
final class L2Mapping {
  private final Qcow2Disk disk;
  private final boolean externalData;
  private final boolean v2;
  private final int clusterBits;
  private final long clusterMask;
  private final int l2Mask;
  private final int unitBits;
  private final boolean extended;

  /** @param disk names the L2 entry in corruption errors */
  L2Mapping(Qcow2Disk disk) {
    this.disk = disk;
    this.externalData = disk.layout().externalData();
    this.v2 = disk.layout().v2();
    ClusterGeometry g = disk.layout().geometry();
    this.clusterBits = g.clusterBits();
    this.clusterMask = g.clusterMask();
    this.l2Mask = (1 << g.l2Bits()) - 1;
    this.unitBits = g.unitBits();
    this.extended = g.extended();
  }

  /** {@link Qcow2Disk#map}; {@code table} is the L2 table of {@code l1Index}, or null. */
  long map(long[] table, long l1Index, long pos) throws IOException {
    if (table == null) {
      return UNALLOCATED;
    }
    int idx = (int) ((pos >>> clusterBits) & l2Mask);
    long word = extended ? table[2 * idx] : table[idx];
    if ((word & L2Entry.COMPRESSED) != 0) {
      if (externalData) {
        throw disk.corrupt(l1Index, idx,
            "compressed cluster in an image with an external data file");
      }
      return COMPRESSED;
    }
    long host = word & L2Entry.OFFSET_MASK;
    boolean hasHost = host != 0 || (externalData && (word & L2Entry.COPIED) != 0);
    if (!extended) {
      if ((word & L2Entry.ZERO_FLAG) != 0) {
        if (v2) {
          throw disk.corrupt(l1Index, idx, "zero cluster entry in a version 2 image");
        }
        return ZERO;
      }
      if (!hasHost) {
        return UNALLOCATED;
      }
      checkHost(host, l1Index, idx, pos);
      return host | NORMAL;
    }
    long bitmap = table[2 * idx + 1];
    int alloc = (int) bitmap;
    int zero = (int) (bitmap >>> 32);
    int sc = (int) ((pos >>> unitBits) & 31);
    if (hasHost) {
      if ((alloc & zero) != 0) {
        throw disk.corrupt(l1Index, idx, String.format(
            "subcluster bitmap 0x%016x marks a subcluster both allocated and zero", bitmap));
      }
      if (((alloc >>> sc) & 1) != 0) {
        checkHost(host, l1Index, idx, pos);
        return (host + ((long) sc << unitBits)) | NORMAL;
      }
    } else if (alloc != 0) {
      throw disk.corrupt(l1Index, idx, String.format(
          "subcluster bitmap 0x%016x marks subclusters allocated in an unallocated cluster",
          bitmap));
    }
    return ((zero >>> sc) & 1) != 0 ? ZERO : UNALLOCATED;
  }

  private void checkHost(long host, long l1Index, int idx, long pos) throws IOException {
    if ((host & clusterMask) != 0) {
      throw disk.corrupt(l1Index, idx,
          "data cluster offset 0x" + Long.toHexString(host) + " is not cluster-aligned");
    }
    if (externalData && host != (pos & ~clusterMask)) {
      throw disk.corrupt(l1Index, idx, "external data file offset 0x" + Long.toHexString(host)
          + " does not match guest cluster offset 0x" + Long.toHexString(pos & ~clusterMask));
    }
  }
}
