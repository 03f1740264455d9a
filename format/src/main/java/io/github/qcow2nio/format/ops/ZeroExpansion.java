package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a downgrade to compat 0.10 reads before it expands zero clusters ({@link
 * ZeroClusterExpansion}): the L2 tables every L1 table names, bounds-checked, and whether any
 * holds a compressed cluster (a zstd image with one cannot go to v2).
 */
final class ZeroExpansion {
  private ZeroExpansion() {}

  /** The distinct L2 tables the active L1 and the snapshots' L1 tables name, in that order. */
  static List<Long> tableOffsets(HostFile file, Header h, long[] activeL1,
      List<SnapshotEntry> snapshots) throws IOException {
    Set<Long> out = new LinkedHashSet<>();
    addTables(h, activeL1, h.l1TableOffset(), out);
    for (SnapshotEntry s : snapshots) {
      long bytes = 8L * s.l1Size();
      if (bytes > (32L << 20) || (s.l1TableOffset() & (h.clusterSize() - 1)) != 0) {
        throw new CorruptImageException("snapshot '" + s.name() + "' L1 table",
            s.l1TableOffset(), "a cluster-aligned table of at most 32 MiB");
      }
      ByteBuffer b = ByteBuffer.allocate((int) bytes);
      file.readOrZero(b, s.l1TableOffset());
      long[] l1 = new long[s.l1Size()];
      b.clear().asLongBuffer().get(l1);
      addTables(h, l1, s.l1TableOffset(), out);
    }
    return new ArrayList<>(out);
  }

  private static void addTables(Header h, long[] l1, long at, Set<Long> out)
      throws CorruptImageException {
    for (int i = 0; i < l1.length; i++) {
      long off = L1Entry.l2Offset(l1[i]);
      if (off == 0) {
        continue;
      }
      if ((off & (h.clusterSize() - 1)) != 0) {
        throw new CorruptImageException("L1 table entry " + i, at + 8L * i,
            "a cluster-aligned L2 table offset");
      }
      out.add(off);
    }
  }

  /** Reads one L2 table from the file. */
  static long[] read(HostFile file, long offset, int clusterSize) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(clusterSize);
    file.readOrZero(b, offset);
    long[] t = new long[clusterSize / 8];
    b.clear().asLongBuffer().get(t);
    return t;
  }

  /**
   * Whether a downgrade would have to fill a host cluster with zeros: a zero cluster that keeps
   * its host cluster (preallocated), or one over a backing file (a new cluster). In an encrypted
   * image zeros on the host would read back as garbage, so such a downgrade is refused.
   */
  static boolean anyFilled(HostFile file, Header h, List<Long> tables, boolean backing)
      throws IOException {
    for (long t : tables) {
      for (long w : read(file, t, h.clusterSize())) {
        if ((w & L2Entry.ZERO_FLAG) != 0 && (w & L2Entry.COMPRESSED) == 0
            && (backing || (w & L2Entry.OFFSET_MASK) != 0)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether any table holds a compressed cluster (a zstd image cannot then go to v2). */
  static boolean anyCompressed(HostFile file, Header h, List<Long> tables) throws IOException {
    for (long t : tables) {
      for (long w : read(file, t, h.clusterSize())) {
        if ((w & L2Entry.COMPRESSED) != 0) {
          return true;
        }
      }
    }
    return false;
  }

}
