package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The COPIED flags of the active tables against the stored refcounts (set exactly when the
 * refcount is 1; always set with a data file), as {@code qemu-img check} compares them after it
 * has repaired the refcounts. A repair writes the corrected L1 entry or L2 table in place, one
 * write each: a crash leaves every table old or new, and a flag that is still wrong stays a
 * reported corruption, never a lost cluster.
 *
 * <p>An L2 table that several L1 entries name is read and compared once; each further entry
 * counts and prints again what qemu-img's second look at it would find (nothing once it is
 * repaired), so that an L1 table naming one L2 table a million times costs a million steps,
 * not a million tables. Tables past the end of the file read as zeros and hold nothing to
 * compare.
 */
final class CopiedFlags {
  private CopiedFlags() {}

  /** What the pass found and fixed. */
  record Outcome(long corruptions, long fixed) {}

  /** What another look at an L2 table already compared finds: its problems and lines. */
  private record Again(long corruptions, List<String> lines) {}

  static Outcome check(CheckContext ctx, long[] l1, StoredRefcounts stored, boolean repair)
      throws IOException {
    HostFile file = ctx.file();
    int bits = ctx.header().clusterBits();
    int cs = 1 << bits;
    boolean ext = ctx.header().hasExtendedL2();
    long corruptions = 0;
    long fixed = 0;
    long fileSize = file.size();
    MessageBudget out = new MessageBudget(ctx.messages());
    Map<Long, Again> compared = new HashMap<>();
    for (int i = 0; i < l1.length; i++) {
      long e = l1[i];
      long l2 = e & L1Entry.OFFSET_MASK;
      if (l2 == 0) {
        continue;
      }
      long refcount;
      try {
        refcount = stored.get(l2 >>> bits);
      } catch (IOException unreadable) {
        continue;
      }
      if ((refcount == 1) != ((e & L1Entry.COPIED) != 0)) {
        corruptions++;
        out.print((repair ? "Repairing" : "ERROR") + " OFLAG_COPIED L2 cluster: "
            + "l1_index=" + i + " l1_entry=" + Long.toHexString(e) + " refcount=" + refcount);
        if (repair) {
          l1[i] = refcount == 1 ? e | L1Entry.COPIED : e & ~L1Entry.COPIED;
          file.write(ByteBuffer.allocate(8).putLong(0, l1[i]),
              ctx.header().l1TableOffset() + 8L * i);
          corruptions--;
          fixed++;
        }
      }
      if (l2 >= fileSize) {
        continue;
      }
      Again again = compared.get(l2);
      if (again != null) {
        corruptions += again.corruptions();
        for (int k = 0; k < again.lines().size() && out.open(); k++) {
          out.print(again.lines().get(k));
        }
        continue;
      }
      List<String> lines = new ArrayList<>();
      long found = 0;
      ByteBuffer buf = ByteBuffer.allocate(cs);
      file.readOrZero(buf, l2);
      int dirty = 0;
      for (int k = 0; k < cs / 8; k += ext ? 2 : 1) {
        long w = buf.getLong(8 * k);
        CheckContext.Kind kind = ctx.kind(w);
        if (kind != CheckContext.Kind.NORMAL && kind != CheckContext.Kind.ZERO_ALLOC) {
          continue;
        }
        long rc;
        if (ctx.externalData()) {
          rc = 1;
        } else {
          try {
            rc = stored.get((w & L2Entry.OFFSET_MASK) >>> bits);
          } catch (IOException unreadable) {
            continue;
          }
        }
        if ((rc == 1) != ((w & L2Entry.COPIED) != 0)) {
          corruptions++;
          found++;
          String line = (repair ? "Repairing" : "ERROR") + " OFLAG_COPIED data cluster: "
              + "l2_entry=" + Long.toHexString(w) + " refcount=" + rc;
          out.print(line);
          if (out.open()) {
            lines.add(line);
          }
          if (repair) {
            buf.putLong(8 * k, rc == 1 ? w | L2Entry.COPIED : w & ~L2Entry.COPIED);
            dirty++;
          }
        }
      }
      if (dirty > 0) {
        if ((l2 & (cs - 1)) != 0 || l2 == 0) {
          // Never write a table over whatever an unaligned entry points into.
          String line = "ERROR: Could not write L2 table; metadata overlap check failed";
          out.print(line);
          lines.add(line);
          compared.put(l2, new Again(dirty, lines));
          continue;
        }
        file.write(buf.clear(), l2);
        corruptions -= dirty;
        fixed += dirty;
        // Repaired: another look finds every flag right.
        compared.put(l2, new Again(0, List.of()));
        continue;
      }
      compared.put(l2, new Again(found, lines));
    }
    return new Outcome(corruptions, fixed);
  }
}
