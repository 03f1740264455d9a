package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Makes ranges read as zeros: whole clusters by the zero flag (v3) or by unallocating them,
 * whole subclusters by their zero bits, partial units by writing zeros unless they already read
 * as zeros; a discard also gives the storage back. See WRITE-PATH.md, "Zeros and discard".
 */
final class ZeroWriter {
  private static final long ALL_ZERO = 0xFFFFFFFF00000000L;

  private final Qcow2Disk disk;
  private final TableUpdater tables;
  private final FreeQueue frees;
  private final ClusterWriter clusters;
  private final PendingRun run;
  private final ClusterGeometry g;
  private final boolean v2;
  private final boolean extended;
  private final boolean externalData;
  private final boolean dataFileRaw;
  private final int clusterSize;
  private final long clusterMask;
  private final byte[] zeros;

  ZeroWriter(Qcow2Disk disk, TableUpdater tables, FreeQueue frees, ClusterWriter clusters,
      PendingRun run, ClusterGeometry geometry, boolean dataFileRaw) {
    this.disk = disk;
    this.tables = tables;
    this.frees = frees;
    this.clusters = clusters;
    this.run = run;
    this.g = geometry;
    this.v2 = disk.layout().v2();
    this.extended = geometry.extended();
    this.externalData = disk.layout().externalData();
    this.dataFileRaw = dataFileRaw;
    this.clusterSize = geometry.clusterSize();
    this.clusterMask = geometry.clusterMask();
    this.zeros = new byte[clusterSize];
  }

  private boolean backingCovers(long cStart) {
    VirtualDisk backing = disk.backing();
    return backing != null && backing.size() > cStart;
  }

  /** What the backing file is taken to show where a range becomes zeros. */
  enum Backing {
    /** The backing file as it is: ranges past its end already read as zeros. */
    AS_IS,
    /**
     * A discard that empties the layer (QEMU's make_empty after a commit): clusters become
     * unallocated even where a backing file shows through; the caller promises that it reads
     * what this layer held.
     */
    EXPOSE,
    /**
     * Zeros stored even where no backing file shows through now: a rebase onto a longer backing
     * file must not let the new one show where the old one was too short.
     */
    HIDE
  }

  /** Makes a whole cluster read as zeros; {@code discard} also gives its storage back. */
  void zeroWholeCluster(long cStart, boolean discard) throws IOException {
    zeroWholeCluster(cStart, discard, Backing.AS_IS);
  }

  /** As above, the backing file taken as {@code view} says. */
  void zeroWholeCluster(long cStart, boolean discard, Backing view) throws IOException {
    long l1Index = g.l1Index(cStart);
    int idx = g.l2Index(cStart);
    int len = (int) Math.min(clusterSize, disk.size() - cStart);
    boolean exposeBacking = view == Backing.EXPOSE;
    boolean covered = view == Backing.HIDE || !exposeBacking && backingCovers(cStart);
    if (exposeBacking && dataFileRaw) {
      // The raw data file must keep the bytes; they read as the backing file's anyway.
      return;
    }
    if (dataFileRaw || (v2 && covered)) {
      // No zero flag to use (or the raw data file must hold the bytes): write real zeros.
      zeroPartial(cStart, len, view);
      return;
    }
    long e = disk.l1()[(int) l1Index];
    if (L1Entry.l2Offset(e) == 0 && !covered) {
      return;
    }
    long[] table = tables.writableL2(l1Index);
    int wi = g.wordIndex(idx);
    long word = table[wi];
    long host = word & L2Entry.OFFSET_MASK;
    boolean compressed = (word & L2Entry.COMPRESSED) != 0;
    boolean hasHost = !compressed && (host != 0 || (externalData && (word & L2Entry.COPIED) != 0));
    if (hasHost) {
      clusters.checkHost(l1Index, idx, host, cStart);
    }
    boolean owned = hasHost && clusters.owned(word, host);
    boolean keep = hasHost && owned && !discard && !v2;
    if (compressed) {
      frees.addCompressed(word);
    } else if (hasHost && !keep && !externalData) {
      frees.add(host, clusterSize, PendingFree.Kind.DATA);
    }
    if (v2) {
      table[wi] = 0;
      return;
    }
    if (!extended) {
      if (keep) {
        table[wi] = host | L2Entry.COPIED | L2Entry.ZERO_FLAG;
      } else {
        table[wi] = (discard && !covered) ? 0 : L2Entry.ZERO_FLAG;
      }
    } else {
      table[wi] = keep ? host | L2Entry.COPIED : 0;
      table[wi + 1] = (discard && !covered) ? 0 : ALL_ZERO;
    }
  }

  /** Zeros part of one cluster, by subcluster bits where possible, else by writing zeros. */
  void zeroPartial(long pos, int n) throws IOException {
    zeroPartial(pos, n, Backing.AS_IS);
  }

  /** As above; with {@link Backing#HIDE} zeros are stored even where it reads zeros now. */
  void zeroPartial(long pos, int n, Backing view) throws IOException {
    if (n <= 0 || view != Backing.HIDE && clusters.readsZeroWithoutIo(pos, n)) {
      return;
    }
    if (extended && !dataFileRaw) {
      int off = (int) (pos & clusterMask);
      int unit = 1 << g.unitBits();
      int first = (off + unit - 1) & ~(unit - 1);
      int last = (off + n) & ~(unit - 1);
      long size = disk.size();
      if (pos + n >= size && ((pos & ~clusterMask) + last) < size) {
        last = ((int) (size - (pos & ~clusterMask)) + unit - 1) & ~(unit - 1);
        last = Math.min(last, clusterSize);
      }
      if (first < last && zeroSubclusters(pos & ~clusterMask, first, last)) {
        if (first > off) {
          zeroPartial(pos, first - off, view);
        }
        if (pos + n > (pos & ~clusterMask) + last) {
          long from = (pos & ~clusterMask) + last;
          zeroPartial(from, (int) (pos + n - from), view);
        }
        return;
      }
    }
    ByteBuffer z = ByteBuffer.wrap(zeros, 0, n);
    try {
      clusters.write(z, pos);
      run.write();
    } finally {
      run.abandon();
    }
  }

  /** Sets zero bits on whole subclusters {@code [first, last)} (byte offsets in the cluster). */
  private boolean zeroSubclusters(long cStart, int first, int last) throws IOException {
    long l1Index = g.l1Index(cStart);
    int idx = g.l2Index(cStart);
    long[] table = tables.writableL2(l1Index);
    long word = table[2 * idx];
    long host = word & L2Entry.OFFSET_MASK;
    if ((word & L2Entry.COMPRESSED) != 0) {
      return false;
    }
    boolean hasHost = host != 0 || (externalData && (word & L2Entry.COPIED) != 0);
    if (hasHost) {
      clusters.checkHost(l1Index, idx, host, cStart);
      if (!clusters.owned(word, host)) {
        return false;
      }
      table[2 * idx] = host | L2Entry.COPIED;
    } else if ((int) table[2 * idx + 1] != 0) {
      throw disk.corrupt(l1Index, idx, "subcluster bitmap marks subclusters allocated in an "
          + "unallocated cluster");
    }
    int m = g.subclusterMask(first, last - first);
    long bitmap = table[2 * idx + 1];
    int alloc = (int) bitmap & ~m;
    int zero = (int) (bitmap >>> 32) | m;
    table[2 * idx + 1] = (Integer.toUnsignedLong(zero) << 32) | Integer.toUnsignedLong(alloc);
    return true;
  }
}
