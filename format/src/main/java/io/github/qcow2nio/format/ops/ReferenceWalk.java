package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts, in memory, every reference to every host cluster, as {@code qemu-img check} does
 * before it compares them with the stored refcounts: header, active and snapshot L1 tables with
 * their L2 tables and data (compressed ranges included), snapshot table, refcount table, the
 * LUKS area of an encrypted image, the persistent bitmaps (only when they are consistent,
 * autoclear bit 0) and the refcount blocks. Problems in the tables are counted as corruptions
 * (in qemu-img's words, to {@code messages}); fragmentation statistics come from the active L1
 * only. Reads only.
 */
final class ReferenceWalk {
  private final CheckContext ctx;
  private final HostFile file;
  private final Header h;
  private final int clusterBits;
  private final int cs;
  private final long fileSize;
  /** The counts, the corruptions and the lines printed (see {@link CheckCounts}). */
  final CheckCounts counts;
  /** Corruptions a rebuild of the refcount structures takes away (bad refcount blocks). */
  long refblockCorruptions;
  boolean rebuild;
  /** The entries of each L2 table, with the active layer's statistics. */
  final L2EntryWalk entries;
  private L2TableMemo memo;
  private final TableReader tables;

  ReferenceWalk(CheckContext ctx, Header h, boolean fixErrors) throws IOException {
    this.ctx = ctx;
    this.file = ctx.file();
    this.h = h;
    this.clusterBits = h.clusterBits();
    this.cs = h.clusterSize();
    this.fileSize = file.size();
    this.counts = new CheckCounts(ctx.messages(), h, fileSize, file.name());
    this.tables = new TableReader(file, fileSize);
    this.entries = new L2EntryWalk(ctx, h, counts, tables, fixErrors);
  }

  int[] refs() {
    return counts.refs;
  }

  long clusters() {
    return counts.clusters;
  }

  long corruptions() {
    return counts.corruptions;
  }

  /**
   * Runs the walk. {@code l1} is the active L1 table as the caller read it; the walk reads every
   * L1 table itself, word by word, so that a word several tables share is read once.
   */
  void run(long[] l1) throws IOException {
    counts.inc(0, cs);
    l1Tables();
    List<SnapshotEntry> snapshots = ctx.snapshots();
    long snapshotBytes = 0;
    for (SnapshotEntry s : snapshots) {
      snapshotBytes += s.length();
    }
    counts.inc(h.snapshotsOffset(), snapshotBytes);
    counts.inc(h.refcountTableOffset(), (long) h.refcountTableClusters() << clusterBits);
    // The LUKS header and key material of an encrypted image, as qemu-img check counts them.
    if (ctx.extensions().crypto().isPresent()) {
      counts.inc(ctx.extensions().crypto().get().offset(),
          ctx.extensions().crypto().get().length());
    }
    if (!ctx.bitmaps().isEmpty()) {
      bitmaps(ctx.extensions().bitmaps().get(), ctx.bitmaps());
    }
    counts.applyRegions();
    refcountBlocks();
  }

  /**
   * The active L1 table, then each snapshot's, in qemu-img's order and with its messages, each
   * word of the file that some L1 table holds walked once and each distinct L2 table walked once,
   * both counted as often as the tables name them.
   */
  private void l1Tables() throws IOException {
    List<SnapshotEntry> snapshots = ctx.snapshots();
    int n = 1 + snapshots.size();
    long[] offset = new long[n];
    long[] entries = new long[n];
    long[] wordStart = new long[n];
    long[] wordEnd = new long[n];
    offset[0] = h.l1TableOffset();
    entries[0] = Integer.toUnsignedLong(h.l1Size());
    for (int i = 1; i < n; i++) {
      SnapshotEntry s = snapshots.get(i - 1);
      offset[i] = s.l1TableOffset();
      entries[i] = Integer.toUnsignedLong(s.l1Size());
      if (snapshotProblem(s) != null) {
        entries[i] = -1;
      }
    }
    for (int i = 0; i < n; i++) {
      long words = entries[i] <= 0 ? 0 : tables.wordsInFile(offset[i], entries[i]);
      wordStart[i] = words == 0 ? 0 : offset[i] >>> 3;
      wordEnd[i] = wordStart[i] + words;
    }
    RangeCoverage words = new RangeCoverage(wordStart, wordEnd, n, 0);
    memo = new L2TableMemo(2 * counts.clusters + 64);
    words.forEach((a, b, count, active) -> tables.readWords(a, b, (at, e) -> {
      long l2 = e & L1Entry.OFFSET_MASK;
      if (e != 0 && l2 < fileSize && !memo.add(l2, count, active ? count : 0)) {
        throw tooManyL2Tables();
      }
    }));
    for (int i = 0; i < n; i++) {
      if (i == 1 && ctx.externalData()) {
        counts.error("ERROR " + snapshots.size() + " snapshots in image with data file");
      }
      if (entries[i] < 0) {
        counts.error(snapshotProblem(snapshots.get(i - 1)));
        continue;
      }
      counts.deferRegion(offset[i], 8L * entries[i]);
      words.visitNew(wordStart[i], wordEnd[i], this::l1Piece);
    }
  }

  private String snapshotProblem(SnapshotEntry s) {
    if ((s.l1TableOffset() & (cs - 1)) != 0) {
      return "ERROR snapshot " + s.id() + " (" + s.name() + ") l1_offset=0x"
          + Long.toHexString(s.l1TableOffset())
          + ": L1 table is not cluster aligned; snapshot table entry corrupted";
    }
    if (Integer.toUnsignedLong(s.l1Size()) > Qcow2Limits.MAX_L1_ENTRIES) {
      return "ERROR snapshot " + s.id() + " (" + s.name() + ") l1_size=0x"
          + Integer.toHexString(s.l1Size())
          + ": L1 table is too large; snapshot table entry corrupted";
    }
    return null;
  }

  private IOException tooManyL2Tables() {
    return new CorruptImageException("L1 tables", h.l1TableOffset(), "they name more than "
        + memo.size() + " distinct L2 tables, more than twice the " + counts.clusters
        + " clusters of the file; the check stops here");
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
      if (cluster >= counts.clusters) {
        // qemu-img -r all grows the file over such a block; we leave it to a rebuild.
        refblockError("ERROR refcount block " + i + " is outside image");
        continue;
      }
      if (offset != 0) {
        counts.inc(offset, cs);
        if (counts.refs[(int) cluster] != 1) {
          refblockError("ERROR refcount block " + i + " refcount=" + counts.refs[(int) cluster]);
        }
      }
    }
  }

  private void refblockError(String message) {
    counts.out.print(message);
    counts.corruptions++;
    refblockCorruptions++;
    rebuild = true;
  }

  /**
   * Words [start, end) of L1 tables, {@code count} tables holding each (the active one among
   * them when {@code active}): each entry's problems and references counted {@code count} times.
   */
  private void l1Piece(long start, long end, long count, boolean active) throws IOException {
    tables.readWords(start, end, (at, e) -> {
      ctx.step(count);
      if (e == 0) {
        return;
      }
      counts.errorWeight = count;
      if ((e & L1Entry.RESERVED_MASK) != 0) {
        counts.error(() -> "ERROR found L1 entry with reserved bits set: " + Long.toHexString(e));
      }
      long l2 = e & L1Entry.OFFSET_MASK;
      counts.inc(l2, cs);
      if ((l2 & (cs - 1)) != 0) {
        counts.error(() -> "ERROR l2_offset=" + Long.toHexString(l2)
            + ": Table is not cluster aligned; L1 entry corrupted");
      }
      counts.errorWeight = 1;
      l2References(l2, count, active ? count : 0);
    });
  }

  /**
   * {@code count} references to the L2 table at {@code l2}: the first walks it, counting it as
   * often as all tables name it; each further one prints its problems again, as qemu-img's walk
   * of that table again would.
   */
  private void l2References(long l2, long count, long active) throws IOException {
    if (l2 >= fileSize) {
      return;
    }
    int slot = memo.find(l2);
    if (slot < 0) {
      // A repair changed this L1 word after the tables were counted (an L2 table overlapping
      // an L1 table): counted as what it is now.
      if (!memo.add(l2, count, active)) {
        throw tooManyL2Tables();
      }
      slot = memo.find(l2);
    }
    long replays = count;
    if (!memo.walked(slot)) {
      List<String> lines = new ArrayList<>();
      counts.replay = lines;
      counts.errorWeight = memo.refs(slot);
      try {
        entries.walk(l2, memo.activeRefs(slot));
      } finally {
        counts.replay = null;
        counts.errorWeight = 1;
      }
      memo.walked(slot, lines);
      replays--;
    }
    List<String> lines = memo.messages(slot);
    for (long r = 0; r < replays && !lines.isEmpty() && counts.out.open(); r++) {
      for (String line : lines) {
        counts.out.print(line);
      }
    }
  }

  /** The bitmap tables, each word walked once and counted as often as tables hold it. */
  private void bitmaps(BitmapsExtension ext, List<BitmapDirectoryEntry> bitmaps)
      throws IOException {
    counts.inc(ext.directoryOffset(), ext.directorySize());
    int n = bitmaps.size();
    long[] start = new long[n];
    long[] end = new long[n];
    for (int i = 0; i < n; i++) {
      BitmapDirectoryEntry b = bitmaps.get(i);
      long words = tables.wordsInFile(b.tableOffset(), b.tableSize());
      start[i] = words == 0 ? 0 : b.tableOffset() >>> 3;
      end[i] = start[i] + words;
    }
    RangeCoverage words = new RangeCoverage(start, end, n, -1);
    for (int i = 0; i < n; i++) {
      BitmapDirectoryEntry b = bitmaps.get(i);
      counts.deferRegion(b.tableOffset(), 8L * b.tableSize());
      words.visitNew(start[i], end[i], (from, to, count, marked) ->
          tables.readWords(from, to, (at, e) -> {
            long off = e & DirtyBitmap.ENTRY_OFFSET;
            if ((e & DirtyBitmap.ENTRY_RESERVED) != 0 || (off & (cs - 1)) != 0
                || (off != 0 && (e & 1) != 0)) {
              counts.corruptions += count;
              return;
            }
            if (off != 0) {
              counts.errorWeight = count;
              counts.inc(off, cs);
              counts.errorWeight = 1;
            }
          }));
    }
  }

  /** {@code n} big-endian longs at {@code offset}; past the end of the file they read as 0. */
  long[] readLongs(long offset, long n) throws IOException {
    return tables.readLongs(offset, n);
  }
}
