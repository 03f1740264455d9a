package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Changes the disk's size: growing (the L1 table too when needed; the grown part reads as zeros)
 * and shrinking (entries past the end cleared and made durable before the smaller size is
 * written). See WRITE-PATH.md, "Resize".
 */
final class Resizer {
  private final Qcow2Disk disk;
  private final HostFile image;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final ClusterAllocator allocator;
  private final TableUpdater tables;
  private final FreeQueue frees;
  private final WriteBarrier barrier;
  private final ClusterWriter clusters;
  private final ZeroWriter zeroes;
  private final ClusterGeometry g;
  private final boolean extended;
  private final boolean externalData;
  private final boolean v2;
  private final boolean dataFileRaw;
  private final int clusterSize;
  private final long clusterMask;

  Resizer(Qcow2Disk disk, HeaderUpdater header, RefcountManager refcounts,
      ClusterAllocator allocator, TableUpdater tables, FreeQueue frees, WriteBarrier barrier,
      ClusterWriter clusters, ZeroWriter zeroes, ClusterGeometry geometry) {
    this.disk = disk;
    this.image = disk.imageFile();
    this.header = header;
    this.refcounts = refcounts;
    this.allocator = allocator;
    this.tables = tables;
    this.frees = frees;
    this.barrier = barrier;
    this.clusters = clusters;
    this.zeroes = zeroes;
    this.g = geometry;
    this.extended = geometry.extended();
    this.externalData = disk.layout().externalData();
    this.v2 = disk.layout().v2();
    this.dataFileRaw = header.header().isDataFileRaw();
    this.clusterSize = geometry.clusterSize();
    this.clusterMask = geometry.clusterMask();
  }

  /** Refuses a size QEMU refuses before anything else is looked at. */
  void checkNewSize(long newSize) throws Qcow2Exception {
    if (newSize < 0 || (newSize & 511) != 0) {
      throw new Qcow2Exception(disk.name() + ": a qcow2 disk size must be a multiple of 512 bytes"
          + " (asked for " + newSize + ")");
    }
  }

  /**
   * The refusals decided under the lock before anything is written, in QEMU's order; false when
   * the size does not change. {@code bitmaps} may be null.
   */
  boolean precheck(long newSize, boolean hasSnapshots, BitmapTracker bitmaps)
      throws Qcow2Exception {
    long oldSize = disk.size();
    if (newSize == oldSize) {
      return false;
    }
    if (hasSnapshots && v2) {
      throw new Qcow2Exception(disk.name() + ": can't resize a v2 image which has snapshots");
    }
    if (dataFileRaw) {
      throw new Qcow2Exception(disk.name()
          + ": resizing an image with a raw external data file is not supported yet");
    }
    if (bitmaps != null) {
      bitmaps.checkResizable();
    }
    return true;
  }

  /**
   * Grows or shrinks the disk to {@code newSize}, after {@link #precheck}, with the persistent
   * bitmaps ({@code bitmaps} may be null) resized against a durable size.
   */
  void resize(long newSize, boolean discardData, BitmapTracker bitmaps) throws IOException {
    long oldSize = disk.size();
    if (bitmaps != null) {
      bitmaps.beginResize();
    }
    if (newSize > oldSize) {
      // Durable at the next flush (or at once when the L1 table moved or zeros were needed).
      grow(oldSize, newSize, true);
      barrier.endOperation();
      if (bitmaps != null) {
        // Persistent bitmaps are resized against a durable size.
        barrier.flushAndForce();
      }
    } else {
      shrink(oldSize, newSize, discardData);
      barrier.forceAll();
    }
    if (bitmaps != null) {
      bitmaps.finishResize(newSize, allocator::allocate, barrier::flushAndForce, refcounts);
    }
  }

  /**
   * Grows the disk. The new size is only staged (written first by the next flush, before any L2
   * table that could map the grown part), unless the grown part needed zeroing: then the zeroing
   * is made durable first and the size written and forced after it, so that a durable new size
   * never exposes old data.
   */
  void grow(long oldSize, long newSize, boolean zeroNewPart) throws IOException {
    long need = g.l1Entries(newSize);
    if (need > Qcow2Limits.MAX_L1_BYTES / 8) {
      throw new Qcow2Exception(disk.name() + ": a disk of " + newSize + " bytes needs an L1 table "
          + "of " + need + " entries, over the 32 MiB limit (use bigger clusters)");
    }
    if (need > disk.l1().length) {
      growL1((int) need);
    }
    disk.setSize(newSize);
    boolean sizeSet = false;
    try {
      long updates = tables.updates();
      boolean dataBefore = barrier.hasDataWritten();
      if (zeroNewPart) {
        zeroGrownPart(oldSize, newSize);
      }
      if (tables.updates() != updates || (barrier.hasDataWritten() && !dataBefore)) {
        barrier.flushMetadata();
        // From here the header holds the new size (rewritten by the next flush if this fails).
        sizeSet = true;
        header.setSize(newSize);
        image.force();
      } else {
        sizeSet = true;
        header.stageSize(newSize);
      }
    } finally {
      if (!sizeSet) {
        // The header never saw the new size: the disk keeps the old one, so that a retry grows
        // (and zeroes) again instead of finding nothing to do.
        disk.setSize(oldSize);
      }
    }
  }

  /**
   * The grown part must read as zeros: the tail of the old last cluster may hold old data (from an
   * earlier shrink), and a longer backing file would otherwise show through.
   */
  private void zeroGrownPart(long oldSize, long newSize) throws IOException {
    VirtualDisk backing = disk.backing();
    long tailEnd = Math.min(newSize, ((oldSize + clusterMask) & ~clusterMask));
    long zeroEnd = Math.max(tailEnd, backing == null ? 0 : Math.min(newSize, backing.size()));
    long pos = oldSize;
    while (pos < zeroEnd) {
      long cStart = pos & ~clusterMask;
      long cEnd = Math.min(cStart + clusterSize, zeroEnd);
      if (pos == cStart && cEnd >= Math.min(cStart + clusterSize, newSize)) {
        zeroes.zeroWholeCluster(cStart, false);
      } else if (!clusters.contentIsZero(pos, (int) (cEnd - pos))) {
        zeroes.zeroPartial(pos, (int) (cEnd - pos));
      }
      pos = cEnd;
      barrier.ensureCacheRoom();
    }
  }

  /** Replaces the L1 table with a bigger copy: allocate, write, switch the header, free. */
  void growL1(int entries) throws IOException {
    barrier.flushMetadata();
    long[] old = disk.l1();
    long bytes = (long) entries * 8;
    long count = (bytes + clusterMask) >>> g.clusterBits();
    long off = allocator.allocate(count);
    refcounts.flush();
    barrier.forceAll();
    long[] grown = Arrays.copyOf(old, entries);
    ByteBuffer b = ByteBuffer.allocate((int) bytes);
    b.asLongBuffer().put(grown);
    image.write(b, off);
    image.force();
    long oldOffset = disk.l1Offset();
    int oldLength = old.length;
    // From the header's write on, the file may name either copy (a write that throws may still
    // have landed), so memory moves to the new one first: later L1 changes go there, and a
    // header write that failed is written again before the next flush's first force. The old
    // table is freed only once the switch is durable; a failure leaks it.
    disk.setL1(grown, off);
    header.setL1Table(entries, off);
    image.force();
    if (oldLength > 0) {
      frees.add(oldOffset, (long) oldLength * 8, PendingFree.Kind.TABLE);
    }
  }

  /**
   * Shrinks the disk, refusing when clusters past the new end hold data unless {@code
   * discardData}; entries past the end are cleared, wholly unused L2 tables freed (the L1 table
   * keeps its size, as in QEMU).
   */
  void shrink(long oldSize, long newSize, boolean discardData) throws IOException {
    long firstCluster = (newSize + clusterMask) >>> g.clusterBits();
    long lastCluster = (oldSize + clusterMask) >>> g.clusterBits();
    long[] l1 = disk.l1();
    int l2Bits = g.l2Bits();
    if (!discardData) {
      refuseIfData(firstCluster, lastCluster, newSize);
    }
    for (long c = firstCluster; c < lastCluster; c++) {
      long l1Index = c >>> l2Bits;
      if (L1Entry.l2Offset(l1[(int) l1Index]) == 0) {
        c = ((l1Index + 1) << l2Bits) - 1;
        continue;
      }
      barrier.ensureCacheRoom();
      long[] table = tables.writableL2(l1Index);
      int wi = g.wordIndex((int) (c & ((1 << l2Bits) - 1)));
      long word = table[wi];
      long host = word & L2Entry.OFFSET_MASK;
      if ((word & L2Entry.COMPRESSED) != 0) {
        frees.addCompressed(word);
      } else if (host != 0 && !externalData) {
        frees.add(host, clusterSize, PendingFree.Kind.DATA);
      }
      table[wi] = 0;
      if (extended) {
        table[wi + 1] = 0;
      }
    }
    long keep = g.l1Entries(newSize);
    for (long i = keep; i < l1.length; i++) {
      long off = L1Entry.l2Offset(l1[(int) i]);
      if (off != 0) {
        tables.setL1(i, 0);
        frees.add(off, clusterSize, PendingFree.Kind.L2_TABLE);
      }
    }
    // The cleared entries are durable before the smaller size is written: otherwise a crash
    // in between, and a later grow, would bring the cut-off data back. Until the header is
    // reached the disk keeps its old size, so a retry shrinks again (clearing nothing twice).
    barrier.flushMetadata();
    disk.setSize(newSize);
    header.setSize(newSize);
  }

  private void refuseIfData(long firstCluster, long lastCluster, long newSize)
      throws IOException {
    int l2Bits = g.l2Bits();
    for (long c = firstCluster; c < lastCluster; c++) {
      long l1Index = c >>> l2Bits;
      long[] table = disk.l2Table(l1Index);
      if (table == null) {
        c = ((l1Index + 1) << l2Bits) - 1;
        continue;
      }
      int idx = (int) (c & ((1 << l2Bits) - 1));
      long word = table[g.wordIndex(idx)];
      boolean data = (word & L2Entry.COMPRESSED) != 0
          || (word & L2Entry.OFFSET_MASK) != 0 && (extended ? (int) table[2 * idx + 1] != 0
              : (word & L2Entry.ZERO_FLAG) == 0)
          || (externalData && (word & L2Entry.COPIED) != 0);
      if (data) {
        throw new Qcow2Exception(disk.name() + ": shrinking to " + newSize + " bytes would "
            + "discard data at guest offset 0x" + Long.toHexString(c << g.clusterBits())
            + " (allow discarding the data to shrink anyway)");
      }
    }
  }
}
