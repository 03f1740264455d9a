package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.meta.RefcountShadow;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One snapshot operation's change of the image, made as a whole or not at all.
 *
 * <p>Nothing the image names is written before the switch: new L1 and L2 tables, the new snapshot
 * table and copies of the refcount blocks that change ({@link RefcountShadow}) go to clusters
 * that are free before and after; they are forced, then one 48-byte header write switches size,
 * L1 table, refcount table and snapshot table together, and is forced. A crash before that write
 * leaves the old image (the new clusters were free), after it the new one; structures the
 * operation frees are already free in the new refcounts, so nothing leaks either.
 *
 * <p>Refcounts count paths, as {@code qemu-img check} does: a data cluster counts once for every
 * L1 entry of every table (active or snapshot) whose L2 table maps it. An active L2 table whose
 * COPIED flags must change is never rewritten in place (the old image would then disagree with
 * its refcounts): it is copied, its copy named by the new L1 table.
 */
final class SnapshotSwitch {
  private final Qcow2Disk disk;
  private final HostFile image;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final L2Cache l2Cache;
  private final ClusterGeometry g;
  private final RefcountShadow shadow;
  private final int clusterSize;

  SnapshotSwitch(Qcow2Disk disk, HeaderUpdater header, RefcountManager refcounts,
      ClusterAllocator allocator) {
    this.disk = disk;
    this.image = disk.imageFile();
    this.header = header;
    this.refcounts = refcounts;
    this.l2Cache = disk.l2Cache();
    this.g = disk.layout().geometry();
    this.clusterSize = g.clusterSize();
    this.shadow = new RefcountShadow(image, refcounts, header.header().refcountOrder(),
        allocator::overlap);
  }

  RefcountShadow shadow() {
    return shadow;
  }

  /**
   * Reads an inactive L1 table, validated as QEMU validates a snapshot's ("Snapshot L1 table"):
   * aligned, nonzero, at most 32 MiB, inside the file. A bad one refuses the operation without
   * marking the image corrupt: the active disk is not affected by it.
   */
  long[] readL1(long offset, int entries, String what) throws IOException {
    if (entries == 0) {
      return new long[0];
    }
    if (Integer.toUnsignedLong(entries) > Qcow2Limits.MAX_L1_ENTRIES) {
      throw new Qcow2Exception(image.name() + ": " + what + ": Snapshot L1 table too large ("
          + Integer.toUnsignedString(entries) + " entries; at most 32 MiB)");
    }
    long end = offset + 8L * entries;
    if ((offset & (clusterSize - 1)) != 0 || offset <= 0 || end > image.size()) {
      throw new Qcow2Exception(image.name() + ": " + what + ": Snapshot L1 table offset invalid"
          + " (0x" + Long.toHexString(offset) + ", " + entries + " entries, in a file of "
          + image.size() + " bytes with clusters of " + clusterSize + ")");
    }
    ByteBuffer b = new StructReader(image, image.size()).read(what, offset, entries * 8);
    long[] l1 = new long[entries];
    b.asLongBuffer().get(l1);
    return l1;
  }

  /** The L2 table an L1 entry names (null when none); cached, not to be modified. */
  long[] table(long l1Entry, long l1Index) throws IOException {
    long off = L1Entry.l2Offset(l1Entry);
    if (off == 0) {
      return null;
    }
    if ((off & (clusterSize - 1)) != 0) {
      throw new CorruptImageException("L1 table entry " + l1Index, off,
          "L2 table offset 0x" + Long.toHexString(off) + " is not cluster-aligned");
    }
    return l2Cache.get(off, l1Index);
  }

  /**
   * Adds {@code delta} to the count of every L2 table an L1 table names and, path by path, of
   * every cluster those tables map (data clusters, preallocated zero clusters, each host cluster
   * compressed bytes touch).
   */
  void addTree(long[] l1, long delta) throws IOException {
    for (int i = 0; i < l1.length; i++) {
      long[] t = table(l1[i], i);
      if (t == null) {
        continue;
      }
      shadow.add(L1Entry.l2Offset(l1[i]) >>> g.clusterBits(), delta);
      addData(t, i, delta);
    }
  }

  /** Adds {@code delta} to every cluster one L2 table maps (one path each). */
  void addData(long[] t, long l1Index, long delta) throws IOException {
    int step = g.extended() ? 2 : 1;
    for (int k = 0; k < t.length; k += step) {
      long w = t[k];
      if ((w & L2Entry.COMPRESSED) != 0) {
        CompressedDescriptor d = CompressedDescriptor.decode(w, g.clusterBits());
        shadow.addRange(d.offset() & ~511L, (d.additionalSectors() + 1L) * 512, delta);
        continue;
      }
      long host = w & L2Entry.OFFSET_MASK;
      if (host == 0) {
        continue;
      }
      if ((host & g.clusterMask()) != 0) {
        throw new CorruptImageException("L2 entry " + (k / step) + " (L1 index " + l1Index + ")",
            host, "data cluster offset is not cluster-aligned");
      }
      shadow.add(host >>> g.clusterBits(), delta);
    }
  }

  /** {@code t} with the COPIED flags the counts after the operation give (a new array). */
  long[] withFlags(long[] t) throws IOException {
    long[] c = t.clone();
    int step = g.extended() ? 2 : 1;
    for (int k = 0; k < c.length; k += step) {
      long w = c[k];
      long host = w & L2Entry.OFFSET_MASK;
      if ((w & L2Entry.COMPRESSED) != 0 || host == 0) {
        continue;
      }
      c[k] = shadow.get(host >>> g.clusterBits()) == 1 ? w | L2Entry.COPIED
          : w & ~L2Entry.COPIED;
    }
    return c;
  }

  /** Writes {@code t} to a new cluster; returns the L1 entry naming it (COPIED: it is owned). */
  long writeTable(long[] t) throws IOException {
    long off = shadow.allocate(1);
    ByteBuffer b = ByteBuffer.allocate(clusterSize);
    b.asLongBuffer().put(t);
    image.write(b, off);
    return off | L1Entry.COPIED;
  }

  /** Writes an L1 table to new clusters (none for an empty table) and returns its offset. */
  long writeL1(long[] l1) throws IOException {
    if (l1.length == 0) {
      return 0;
    }
    long bytes = 8L * l1.length;
    long off = shadow.allocate((bytes + clusterSize - 1) / clusterSize);
    ByteBuffer b = ByteBuffer.allocate((int) bytes);
    b.asLongBuffer().put(l1);
    image.write(b, off);
    return off;
  }

  /** Drops one reference from each cluster of {@code [offset, offset + length)}. */
  void free(long offset, long length) throws IOException {
    if (offset != 0 && length > 0) {
      shadow.addRange(offset, (length + clusterSize - 1) / clusterSize * clusterSize, -1);
    }
  }

  /** Writes a snapshot table to new clusters (none when empty); returns its offset. */
  long writeSnapshotTable(List<SnapshotEntry> entries) throws IOException {
    long bytes = tableBytes(entries);
    if (bytes == 0) {
      return 0;
    }
    long off = shadow.allocate((bytes + clusterSize - 1) / clusterSize);
    ByteBuffer b = ByteBuffer.allocate((int) bytes);
    for (SnapshotEntry s : entries) {
      b.put(s.toBytes());
    }
    image.write(b.flip(), off);
    return off;
  }

  static long tableBytes(List<SnapshotEntry> entries) {
    long n = 0;
    for (SnapshotEntry s : entries) {
      n += s.length();
    }
    return n;
  }

  /**
   * Places the refcounts, forces everything written, switches memory and then the header (one
   * write, forced). From the memory switch on the operation counts as done: a failed header
   * write is written again before anything else changes ({@link Qcow2DiskWriter#change}).
   */
  void commit(Qcow2DiskWriter writer, long size, long[] l1, long l1Offset,
      List<SnapshotEntry> snapshots, long tableOffset) throws IOException {
    RefcountShadow.Commit c = shadow.commit();
    shadow.write(c);
    image.force();
    List<long[]> fixed = new ArrayList<>();
    for (SnapshotEntry s : snapshots) {
      if (Integer.toUnsignedLong(s.l1Size()) <= Qcow2Limits.MAX_L1_ENTRIES) {
        fixed.add(new long[] {s.l1TableOffset(), 8L * s.l1Size()});
      }
    }
    fixed.add(new long[] {tableOffset, tableBytes(snapshots)});
    refcounts.adopt(c.table(), c.tableOffset(), c.tableClusters());
    l2Cache.clear();
    disk.setL1(l1, l1Offset);
    disk.setSize(size);
    disk.compressedClusters().invalidate();
    writer.tablesSwitched(!snapshots.isEmpty(), fixed);
    writer.snapshots().setEntries(snapshots);
    header.switchTables(size, l1.length, l1Offset, c.tableOffset(), c.tableClusters(),
        snapshots.size(), snapshots.isEmpty() ? 0 : tableOffset);
    image.force();
    writer.switchDone();
  }
}
