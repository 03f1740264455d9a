package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.meta.RefcountManager;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.io.StructReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Rebuilds the refcounts of a dirty image (one a lazy-refcounts writer did not close cleanly) from
 * what references clusters: header, L1/L2 tables of the active layer and of every snapshot, data
 * and compressed clusters, the snapshot table, the persistent bitmaps (directory, tables, data)
 * and the refcount structures themselves.
 *
 * <p>Counts that are too low are raised first, with the allocator held above every referenced
 * cluster so that a new refcount block can never land on a cluster in use; counts that are too
 * high (leaks) are lowered afterwards. Finally the active tables' COPIED flags are made to match.
 */
public final class RefcountRebuild {

  /** What the rebuild changed: counts raised (too low before) and lowered (leaks). */
  public record Result(long raised, long lowered) {}

  private static final int MAX_CLUSTERS = 1 << 27;

  private final HostFile file;
  private final Header header;
  private final int clusterBits;
  private final long fileSize;
  private final boolean externalData;
  private int[] counts = new int[1024];
  private long highest = 0;
  private long raised;
  private long lowered;

  private RefcountRebuild(HostFile file, Header header, boolean externalData) throws IOException {
    this.file = file;
    this.header = header;
    this.clusterBits = header.clusterBits();
    this.fileSize = file.size();
    this.externalData = externalData;
  }

  public static Result rebuild(HostFile file, HeaderUpdater hu, RefcountManager refcounts,
      long[] l1, List<SnapshotEntry> snapshots, HeaderExtensions ext,
      List<BitmapDirectoryEntry> bitmaps, boolean externalData) throws IOException {
    Header h = hu.header();
    RefcountRebuild r = new RefcountRebuild(file, h, externalData);
    r.countOthers(l1, snapshots);
    if (!bitmaps.isEmpty()) {
      // Only consistent bitmaps (autoclear bit 0 set) are counted, as in qemu-img check.
      r.countBitmaps(ext.bitmaps().get(), bitmaps);
    }
    long fileClusters = (r.fileSize + (1L << r.clusterBits) - 1) >>> r.clusterBits;
    long end = Math.max(fileClusters, r.highest + 1);
    if (end > MAX_CLUSTERS) {
      throw new Qcow2Exception(file.name() + ": too many clusters (" + end + ") to rebuild the "
          + "refcounts in memory; run qemu-img check -r all");
    }
    refcounts.setFloor(end);
    try {
      for (int pass = 0; pass < 2; pass++) {
        int[] structure = r.structureCounts(refcounts, end);
        for (long c = 0; c < end; c++) {
          long target = (c < r.counts.length ? r.counts[(int) c] : 0) + structure[(int) c];
          if (Long.compareUnsigned(target, refcounts.maxValue()) > 0) {
            throw new Qcow2Exception(file.name() + ": cluster " + c + " is referenced " + target
                + " times, more than " + (h.refcountBits()) + "-bit refcounts hold");
          }
          long current = refcounts.get(c);
          // Pass 0 only raises (new blocks may appear); pass 1 settles every count exactly.
          if (pass == 0 ? target > current : target != current) {
            refcounts.set(c, target);
            if (target > current) {
              r.raised++;
            } else {
              r.lowered++;
            }
          }
        }
      }
      r.clearPastEnd(refcounts, end, h);
    } finally {
      refcounts.setFloor(0);
    }
    r.fixCopiedFlags(refcounts, l1, h.l1TableOffset());
    return new Result(r.raised, r.lowered);
  }

  /**
   * Clusters from {@code end} on (past the file and everything referenced) must count 0, but for
   * refcount structures the rebuild itself made there; a crash
   * can leave an increment there whose data never reached the file. QEMU sees such a count as a
   * leak once the file grows over it.
   */
  private void clearPastEnd(RefcountManager refcounts, long end, Header h) throws IOException {
    int blockBits = clusterBits + 3 - h.refcountOrder();
    long[] table = refcounts.tableEntries();
    for (long ti = end >>> blockBits; ti < table.length; ti++) {
      if (table[(int) ti] == 0) {
        continue;
      }
      for (long c = Math.max(end, ti << blockBits); c < (ti + 1) << blockBits; c++) {
        // A refcount block or table the rebuild itself placed up here stays counted.
        if (refcounts.get(c) != 0 && !refcounts.isRefcountMetadata(c << clusterBits)) {
          refcounts.set(c, 0);
          lowered++;
        }
      }
    }
  }

  /**
   * Makes the COPIED flags of the active tables say what the rebuilt refcounts say (refcount
   * exactly 1), as {@code qemu-img check -r} does. Runs before anything is cached, writing tables
   * directly; {@code l1} (the live array) is updated in place.
   */
  private void fixCopiedFlags(RefcountManager refcounts, long[] l1, long l1Offset)
      throws IOException {
    int cs = 1 << clusterBits;
    boolean ext = header.hasExtendedL2();
    ByteBuffer buf = ByteBuffer.allocate(cs);
    long[] table = new long[cs / 8];
    boolean l1Changed = false;
    for (int i = 0; i < l1.length; i++) {
      long l2 = L1Entry.l2Offset(l1[i]);
      if (l2 == 0) {
        continue;
      }
      boolean one = refcounts.get(l2 >>> clusterBits) == 1;
      long fixed = one ? l1[i] | L1Entry.COPIED : l1[i] & ~L1Entry.COPIED;
      if (fixed != l1[i]) {
        l1[i] = fixed;
        l1Changed = true;
      }
      buf.clear();
      file.readOrZero(buf, l2);
      buf.flip();
      buf.asLongBuffer().get(table);
      boolean changed = false;
      for (int k = 0; k < table.length; k += ext ? 2 : 1) {
        long w = table[k];
        long host = w & L2Entry.OFFSET_MASK;
        if ((w & L2Entry.COMPRESSED) != 0 || externalData || host == 0) {
          continue;
        }
        boolean own = refcounts.get(host >>> clusterBits) == 1;
        long f = own ? w | L2Entry.COPIED : w & ~L2Entry.COPIED;
        if (f != w) {
          table[k] = f;
          changed = true;
        }
      }
      if (changed) {
        buf.clear();
        buf.asLongBuffer().put(table);
        file.write(buf, l2);
      }
    }
    if (l1Changed) {
      ByteBuffer b = ByteBuffer.allocate(l1.length * 8);
      b.asLongBuffer().put(l1);
      file.write(b, l1Offset);
    }
    file.force();
  }

  private int[] structureCounts(RefcountManager refcounts, long end) {
    int[] s = new int[(int) end];
    long rt = refcounts.tableOffset() >>> clusterBits;
    for (long c = rt; c < rt + refcounts.tableClusters() && c < end; c++) {
      s[(int) c]++;
    }
    for (long e : refcounts.tableEntries()) {
      long c = (e & L1Entry.OFFSET_MASK) >>> clusterBits;
      if (e != 0 && c < end) {
        s[(int) c]++;
      }
    }
    return s;
  }

  private void ref(long offset, long length) throws IOException {
    if (length <= 0) {
      return;
    }
    long first = offset >>> clusterBits;
    long last = (offset + length - 1) >>> clusterBits;
    if (last >= MAX_CLUSTERS || (offset >= fileSize + (1L << clusterBits))) {
      throw new CorruptImageException("cluster reference", offset,
          "lies far beyond the end of " + file.name() + "; cannot rebuild refcounts");
    }
    if (last >= counts.length) {
      counts = java.util.Arrays.copyOf(counts, (int) Math.max(last + 1, counts.length * 2L));
    }
    for (long c = first; c <= last; c++) {
      counts[(int) c]++;
    }
    highest = Math.max(highest, last);
  }

  private void countOthers(long[] l1, List<SnapshotEntry> snapshots) throws IOException {
    int cs = 1 << clusterBits;
    ref(0, cs);
    countTree(l1, header.l1TableOffset(), "active L1 table");
    if (header.nbSnapshots() > 0) {
      long len = 0;
      for (SnapshotEntry s : snapshots) {
        len += s.length();
      }
      ref(header.snapshotsOffset(), len);
      StructReader reader = new StructReader(file, fileSize);
      for (SnapshotEntry s : snapshots) {
        long[] sl1 = new long[s.l1Size()];
        if (s.l1Size() > 0) {
          ByteBuffer b = reader.read("L1 table of snapshot '" + s.name() + "'",
              s.l1TableOffset(), s.l1Size() * 8);
          b.asLongBuffer().get(sl1);
        }
        countTree(sl1, s.l1TableOffset(), "L1 table of snapshot '" + s.name() + "'");
      }
    }
  }

  /** The bitmap directory, every bitmap table, and every data cluster a table points at. */
  private void countBitmaps(BitmapsExtension ext, List<BitmapDirectoryEntry> bitmaps)
      throws IOException {
    ref(ext.directoryOffset(), ext.directorySize());
    StructReader reader = new StructReader(file, fileSize);
    for (BitmapDirectoryEntry b : bitmaps) {
      ByteBuffer t = reader.read("bitmap table of '" + b.name() + "'", b.tableOffset(),
          b.tableSize() * 8);
      ref(b.tableOffset(), 8L * b.tableSize());
      for (int i = 0; i < b.tableSize(); i++) {
        long off = t.getLong(8 * i) & DirtyBitmap.ENTRY_OFFSET;
        if (off != 0) {
          ref(off, 1L << clusterBits);
        }
      }
    }
  }

  private void countTree(long[] l1, long l1Offset, String what) throws IOException {
    int cs = 1 << clusterBits;
    if (l1.length > 0) {
      ref(l1Offset, (long) l1.length * 8);
    }
    boolean ext = header.hasExtendedL2();
    ByteBuffer buf = ByteBuffer.allocate(cs);
    long[] table = new long[cs / 8];
    for (int i = 0; i < l1.length; i++) {
      long l2 = L1Entry.l2Offset(l1[i]);
      if (l2 == 0) {
        continue;
      }
      if ((l2 & (cs - 1)) != 0) {
        throw new CorruptImageException(what + " entry " + i, l1Offset + 8L * i,
            "L2 table offset 0x" + Long.toHexString(l2) + " is not cluster-aligned");
      }
      ref(l2, cs);
      buf.clear();
      file.readOrZero(buf, l2);
      buf.flip();
      buf.asLongBuffer().get(table);
      for (int k = 0; k < table.length; k += ext ? 2 : 1) {
        long w = table[k];
        if ((w & L2Entry.COMPRESSED) != 0) {
          CompressedDescriptor d = CompressedDescriptor.decode(w, clusterBits);
          ref(d.offset() & ~511L, (d.additionalSectors() + 1L) * 512);
          continue;
        }
        long host = w & L2Entry.OFFSET_MASK;
        if (host != 0 && !externalData) {
          if ((host & (cs - 1)) != 0) {
            throw new CorruptImageException("L2 table entry " + k, l2 + 8L * k,
                "data cluster offset 0x" + Long.toHexString(host) + " is not cluster-aligned");
          }
          ref(host, cs);
        }
      }
    }
  }
}
