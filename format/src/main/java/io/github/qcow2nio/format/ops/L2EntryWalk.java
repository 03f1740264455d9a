package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The entries of L2 tables as {@code qemu-img check} judges them, one table at a time: their
 * problems (in qemu-img's words), the host clusters they reference, and the active layer's
 * allocation statistics. {@link ReferenceWalk} decides which tables to walk and how many
 * references each stands for; this class only reads entries (and, under {@code -r all}, turns an
 * unaligned preallocated entry into a zero cluster as qemu-img does).
 */
final class L2EntryWalk {
  private final CheckContext ctx;
  private final Header h;
  private final CheckCounts counts;
  private final TableReader tables;
  private final HostFile file;
  private final int clusterBits;
  private final int cs;
  /** {@code -r all}: entries of unaligned preallocated clusters become zero clusters. */
  private final boolean fixErrors;
  /** Entries rewritten while walking. */
  long corruptionsFixed;
  long allocated;
  long fragmented;
  long compressed;

  L2EntryWalk(CheckContext ctx, Header h, CheckCounts counts, TableReader tables,
      boolean fixErrors) {
    this.ctx = ctx;
    this.h = h;
    this.counts = counts;
    this.tables = tables;
    this.file = ctx.file();
    this.clusterBits = h.clusterBits();
    this.cs = h.clusterSize();
    this.fixErrors = fixErrors;
  }

  /**
   * Walks the L2 table at {@code l2} once for all its references ({@code counts.errorWeight}
   * of them, {@code active} from the active table, whose statistics it counts that often).
   */
  void walk(long l2, long active) throws IOException {
    boolean ext = h.hasExtendedL2();
    long[] t = tables.readLongs(l2, cs / 8);
    long next = 0;
    for (int k = 0; k < t.length; k += ext ? 2 : 1) {
      long w = t[k];
      long bitmap = ext ? t[k + 1] : 0;
      CheckContext.Kind kind = ctx.kind(w);
      if (kind != CheckContext.Kind.COMPRESSED && (w & L2Entry.RESERVED_MASK) != 0) {
        counts.error(() -> "ERROR found l2 entry with reserved bits set: " + Long.toHexString(w));
      }
      switch (kind) {
        case COMPRESSED -> {
          CompressedDescriptor d = CompressedDescriptor.decode(w, clusterBits);
          if ((w & L2Entry.COPIED) != 0) {
            counts.error("ERROR: coffset=0x" + Long.toHexString(d.offset())
                + ": copied flag must never be set for compressed clusters");
          }
          if (ctx.externalData()) {
            counts.error("ERROR compressed cluster " + (ext ? k / 2 : k)
                + " with data file, entry=0x"
                + Long.toHexString(w & ~L2Entry.COPIED));
            continue;
          }
          if (bitmap != 0) {
            counts.error("ERROR compressed cluster " + (ext ? k / 2 : k)
                + " with non-zero subcluster allocation bitmap, entry=0x"
                + Long.toHexString(w & ~L2Entry.COPIED));
            continue;
          }
          // QEMU counts the descriptor's sectors from the sector the data starts in.
          long start = d.offset();
          long end = (d.offset() & ~511L) + (d.additionalSectors() + 1L) * 512;
          counts.inc(start, end - start);
          allocated += active;
          compressed += active;
          fragmented += active;
        }
        case NORMAL, ZERO_ALLOC -> {
          long offset = w & L2Entry.OFFSET_MASK;
          if (((bitmap >>> 32) & bitmap) != 0) {
            counts.error("ERROR offset=" + Long.toHexString(offset)
                + ": Allocated cluster has corrupted subcluster allocation bitmap");
          }
          if ((offset & (cs - 1)) != 0) {
            boolean data = ext ? (bitmap & L2Entry.ALLOC_MASK) != 0
                : (w & L2Entry.ZERO_FLAG) == 0;
            if (data) {
              counts.error("ERROR offset=" + Long.toHexString(offset)
                  + ": Data cluster is not properly aligned; L2 entry corrupted.");
            } else {
              String problem = " offset=" + Long.toHexString(offset)
                  + ": Preallocated cluster is not properly aligned; L2 entry corrupted.";
              if (fixErrors) {
                // Fixed on the first walk: a later walk would find a zero cluster.
                counts.out.print("Repairing" + problem);
                zeroEntry(l2, k, bitmap);
                corruptionsFixed++;
                continue;
              }
              counts.error("ERROR" + problem);
            }
          }
          allocated += active;
          if (next != 0 && offset != next) {
            fragmented += active;
          }
          next = offset + cs;
          if (!ctx.externalData()) {
            counts.inc(offset, cs);
          }
        }
        case UNALLOCATED -> {
          if ((bitmap & L2Entry.ALLOC_MASK) != 0) {
            counts.error("ERROR: Unallocated cluster has non-zero subcluster allocation map");
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
}
