package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Counts, in memory, every reference to every host cluster, as {@code qemu-img check} does
 * before it compares them with the stored refcounts: header, active and snapshot L1 tables with
 * their L2 tables and data (compressed ranges included), snapshot table, refcount table, the
 * persistent bitmaps (only when they are consistent, autoclear bit 0) and the refcount blocks.
 * Problems in the tables are counted as corruptions (in qemu-img's words, to {@code messages});
 * fragmentation statistics come from the active L1 only. Reads only.
 */
final class ReferenceWalk {
  /** Clusters counted in memory at most (4 bytes each): a bigger image is a check error. */
  static final long MAX_CLUSTERS = 1L << 27;

  private final CheckContext ctx;
  private final HostFile file;
  private final Header h;
  private final int clusterBits;
  private final int cs;
  private final long fileSize;
  private final long maxRefcount;
  /** {@code -r all}: entries of unaligned preallocated clusters become zero clusters. */
  private final boolean fixErrors;
  /** Entries rewritten while walking. */
  long corruptionsFixed;
  int[] refs;
  long clusters;
  long corruptions;
  /** Corruptions a rebuild of the refcount structures takes away (bad refcount blocks). */
  long refblockCorruptions;
  boolean rebuild;
  long allocated;
  long fragmented;
  long compressed;

  ReferenceWalk(CheckContext ctx, Header h, boolean fixErrors) throws IOException {
    this.ctx = ctx;
    this.fixErrors = fixErrors;
    this.file = ctx.file();
    this.h = h;
    this.clusterBits = h.clusterBits();
    this.cs = h.clusterSize();
    this.fileSize = file.size();
    this.maxRefcount = h.refcountOrder() == 6 ? Long.MAX_VALUE
        : (1L << h.refcountBits()) - 1;
    this.clusters = (fileSize + cs - 1) >>> clusterBits;
    if (clusters > MAX_CLUSTERS) {
      throw new IOException(file.name() + ": " + clusters + " clusters are too many to check "
          + "in memory");
    }
    this.refs = new int[(int) clusters];
  }

  /** Runs the walk; {@code l1} is the active L1 table. */
  void run(long[] l1) throws IOException {
    inc(0, cs);
    table(l1, h.l1TableOffset(), Integer.toUnsignedLong(h.l1Size()), true);
    List<SnapshotEntry> snapshots = ctx.snapshots();
    if (ctx.externalData() && !snapshots.isEmpty()) {
      error("ERROR " + snapshots.size() + " snapshots in image with data file");
    }
    long snapshotBytes = 0;
    for (SnapshotEntry s : snapshots) {
      snapshotBytes += s.length();
      if ((s.l1TableOffset() & (cs - 1)) != 0) {
        error("ERROR snapshot " + s.id() + " (" + s.name() + ") l1_offset=0x"
            + Long.toHexString(s.l1TableOffset())
            + ": L1 table is not cluster aligned; snapshot table entry corrupted");
        continue;
      }
      if (Integer.toUnsignedLong(s.l1Size()) > Qcow2Limits.MAX_L1_ENTRIES) {
        error("ERROR snapshot " + s.id() + " (" + s.name() + ") l1_size=0x"
            + Integer.toHexString(s.l1Size())
            + ": L1 table is too large; snapshot table entry corrupted");
        continue;
      }
      long[] sl1 = readLongs(s.l1TableOffset(), Integer.toUnsignedLong(s.l1Size()));
      table(sl1, s.l1TableOffset(), Integer.toUnsignedLong(s.l1Size()), false);
    }
    inc(h.snapshotsOffset(), snapshotBytes);
    inc(h.refcountTableOffset(), (long) h.refcountTableClusters() << clusterBits);
    // The LUKS header and key material of an encrypted image, as QEMU counts them.
    if (ctx.extensions().crypto().isPresent()) {
      inc(ctx.extensions().crypto().get().offset(), ctx.extensions().crypto().get().length());
    }
    if (!ctx.bitmaps().isEmpty()) {
      bitmaps(ctx.extensions().bitmaps().get(), ctx.bitmaps());
    }
    refcountBlocks();
  }

  /** The refcount table as the header names it. */
  long[] refcountTable() throws IOException {
    return readLongs(h.refcountTableOffset(), (h.refcountTableClusters() << clusterBits) / 8);
  }

  private void refcountBlocks() throws IOException {
    long[] table = refcountTable();
    for (int i = 0; i < table.length; i++) {
      long e = table[i];
      long offset = e & L1Entry.OFFSET_MASK;
      if ((e & 0x1FFL) != 0) {
        refblockError("ERROR refcount table entry " + i + " has reserved bits set");
        continue;
      }
      if ((offset & (cs - 1)) != 0) {
        refblockError("ERROR refcount block " + i
            + " is not cluster aligned; refcount table entry corrupted");
        continue;
      }
      long cluster = offset >>> clusterBits;
      if (cluster >= clusters) {
        // qemu-img -r all grows the file over such a block; we leave it to a rebuild.
        refblockError("ERROR refcount block " + i + " is outside image");
        continue;
      }
      if (offset != 0) {
        inc(offset, cs);
        if (refs[(int) cluster] != 1) {
          refblockError("ERROR refcount block " + i + " refcount=" + refs[(int) cluster]);
        }
      }
    }
  }

  private void refblockError(String message) {
    ctx.messages().accept(message);
    corruptions++;
    refblockCorruptions++;
    rebuild = true;
  }

  /**
   * Counts an L1 table of {@code entries} (its clusters) and what its entries point at; {@code
   * l1} may be shorter than {@code entries}: the rest lies past the end of the file, zeros.
   */
  private void table(long[] l1, long l1Offset, long entries, boolean active) throws IOException {
    inc(l1Offset, 8L * entries);
    for (int i = 0; i < l1.length; i++) {
      ctx.step();
      long e = l1[i];
      if (e == 0) {
        continue;
      }
      if ((e & L1Entry.RESERVED_MASK) != 0) {
        error("ERROR found L1 entry with reserved bits set: " + Long.toHexString(e));
      }
      long l2 = e & L1Entry.OFFSET_MASK;
      inc(l2, cs);
      if ((l2 & (cs - 1)) != 0) {
        error("ERROR l2_offset=" + Long.toHexString(l2)
            + ": Table is not cluster aligned; L1 entry corrupted");
      }
      l2Table(l2, active);
    }
  }

  private void l2Table(long l2, boolean active) throws IOException {
    boolean ext = h.hasExtendedL2();
    long[] t = readLongs(l2, cs / 8);
    long next = 0;
    for (int k = 0; k < t.length; k += ext ? 2 : 1) {
      long w = t[k];
      long bitmap = ext ? t[k + 1] : 0;
      CheckContext.Kind kind = ctx.kind(w);
      if (kind != CheckContext.Kind.COMPRESSED && (w & L2Entry.RESERVED_MASK) != 0) {
        error("ERROR found l2 entry with reserved bits set: " + Long.toHexString(w));
      }
      switch (kind) {
        case COMPRESSED -> {
          CompressedDescriptor d = CompressedDescriptor.decode(w, clusterBits);
          if ((w & L2Entry.COPIED) != 0) {
            error("ERROR: coffset=0x" + Long.toHexString(d.offset())
                + ": copied flag must never be set for compressed clusters");
          }
          if (ctx.externalData()) {
            error("ERROR compressed cluster " + (ext ? k / 2 : k) + " with data file, entry=0x"
                + Long.toHexString(w & ~L2Entry.COPIED));
            continue;
          }
          if (bitmap != 0) {
            error("ERROR compressed cluster " + (ext ? k / 2 : k)
                + " with non-zero subcluster allocation bitmap, entry=0x"
                + Long.toHexString(w & ~L2Entry.COPIED));
            continue;
          }
          // QEMU counts the descriptor's sectors from the sector the data starts in.
          long start = d.offset();
          long end = (d.offset() & ~511L) + (d.additionalSectors() + 1L) * 512;
          inc(start, end - start);
          if (active) {
            allocated++;
            compressed++;
            fragmented++;
          }
        }
        case NORMAL, ZERO_ALLOC -> {
          long offset = w & L2Entry.OFFSET_MASK;
          if (((bitmap >>> 32) & bitmap) != 0) {
            error("ERROR offset=" + Long.toHexString(offset)
                + ": Allocated cluster has corrupted subcluster allocation bitmap");
          }
          if ((offset & (cs - 1)) != 0) {
            boolean data = ext ? (bitmap & L2Entry.ALLOC_MASK) != 0
                : (w & L2Entry.ZERO_FLAG) == 0;
            if (data) {
              error("ERROR offset=" + Long.toHexString(offset)
                  + ": Data cluster is not properly aligned; L2 entry corrupted.");
            } else {
              ctx.messages().accept((fixErrors ? "Repairing" : "ERROR") + " offset="
                  + Long.toHexString(offset)
                  + ": Preallocated cluster is not properly aligned; L2 entry corrupted.");
              if (fixErrors) {
                zeroEntry(l2, k, bitmap);
                corruptionsFixed++;
                continue;
              }
              corruptions++;
            }
          }
          if (active) {
            allocated++;
            if (next != 0 && offset != next) {
              fragmented++;
            }
            next = offset + cs;
          }
          if (!ctx.externalData()) {
            inc(offset, cs);
          }
        }
        case UNALLOCATED -> {
          if ((bitmap & L2Entry.ALLOC_MASK) != 0) {
            error("ERROR: Unallocated cluster has non-zero subcluster allocation map");
          }
        }
        default -> { }
      }
    }
  }

  /**
   * Makes entry {@code k} of the L2 table at {@code l2} a zero cluster without a host cluster,
   * as {@code qemu-img check -r all} does to a preallocated entry that is not aligned: one
   * forced write of the entry, which reads as zeros before and after.
   */
  private void zeroEntry(long l2, int k, long bitmap) throws IOException {
    ByteBuffer b;
    if (h.hasExtendedL2()) {
      // Allocated subclusters become zero subclusters.
      long zeros = ((bitmap | (bitmap << 32)) & 0xFFFFFFFF00000000L);
      b = ByteBuffer.allocate(16).putLong(0, 0).putLong(8, zeros);
    } else {
      b = ByteBuffer.allocate(8).putLong(0, L2Entry.ZERO_FLAG);
    }
    file.write(b, l2 + 8L * k);
    file.force();
  }

  private void bitmaps(BitmapsExtension ext, List<BitmapDirectoryEntry> bitmaps)
      throws IOException {
    inc(ext.directoryOffset(), ext.directorySize());
    for (BitmapDirectoryEntry b : bitmaps) {
      inc(b.tableOffset(), 8L * b.tableSize());
      long[] t = readLongs(b.tableOffset(), b.tableSize());
      for (long e : t) {
        long off = e & DirtyBitmap.ENTRY_OFFSET;
        if ((e & DirtyBitmap.ENTRY_RESERVED) != 0 || (off & (cs - 1)) != 0
            || (off != 0 && (e & 1) != 0)) {
          corruptions++;
          continue;
        }
        if (off != 0) {
          inc(off, cs);
        }
      }
    }
  }

  private void error(String message) {
    ctx.messages().accept(message);
    corruptions++;
  }

  /** One reference to every cluster of [offset, offset + size), as qemu's check counts it. */
  private void inc(long offset, long size) throws IOException {
    if (size <= 0) {
      return;
    }
    // The last cluster may be partly past the end of the file, never a whole cluster. Written
    // without offset + size, which a hostile offset near 2^63 overflows; a negative offset (a
    // snapshot's L1 offset is not masked) is past any end.
    if (offset < 0 || offset >= fileSize + cs - size) {
      error("ERROR: counting reference for region exceeding the end of the file by one cluster "
          + "or more: offset 0x" + Long.toHexString(offset) + " size 0x"
          + Long.toHexString(size));
      return;
    }
    long first = offset >>> clusterBits;
    long last = (offset + size - 1) >>> clusterBits;
    if (last >= clusters) {
      clusters = last + 1;
      refs = Arrays.copyOf(refs, (int) clusters);
    }
    for (long c = first; c <= last; c++) {
      int k = (int) c;
      if (Integer.toUnsignedLong(refs[k]) == Math.min(maxRefcount, 0xFFFFFFFFL)) {
        error("ERROR: overflow cluster offset=0x" + Long.toHexString(c << clusterBits));
        ctx.messages().accept("Use qemu-img amend to increase the refcount entry width or "
            + "qemu-img convert to create a clean copy if the image cannot be opened for writing");
        continue;
      }
      refs[k]++;
    }
  }

  /** {@code n} big-endian longs at {@code offset}; past the end of the file they read as 0. */
  long[] readLongs(long offset, long n) throws IOException {
    if (n <= 0) {
      return new long[0];
    }
    if (n > Qcow2Limits.MAX_L1_ENTRIES * 2) {
      throw new IOException("table of " + n + " entries at " + offset + " is too large");
    }
    // Only what lies in the file is read and held: a table declared far larger than the file
    // (a snapshot's L1 of 32 MiB on a 10 KiB image) must not cost its declared size in memory.
    // The length stays even so that extended L2 entries (pairs) remain whole.
    long inFile = offset < 0 || offset >= fileSize ? 0 : (fileSize - offset + 7) / 8;
    int len = (int) Math.min(n, (inFile + 1) & ~1L);
    if (len == 0) {
      return new long[0];
    }
    ByteBuffer b = ByteBuffer.allocate(8 * len);
    file.readOrZero(b, offset);
    b.flip();
    long[] out = new long[len];
    b.asLongBuffer().get(out);
    return out;
  }
}
