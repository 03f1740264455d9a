package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.error.CorruptImageException;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

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
  /** How many times the problem being reported counts (tables sharing what has it). */
  private long errorWeight = 1;
  /** While an L2 table is walked: its lines, to print again at its further references. */
  private List<String> replay;
  private L2TableMemo memo;
  private final Regions regions = new Regions();
  private final MessageBudget out;

  ReferenceWalk(CheckContext ctx, Header h, boolean fixErrors) throws IOException {
    this.ctx = ctx;
    this.fixErrors = fixErrors;
    this.out = new MessageBudget(ctx.messages());
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

  /**
   * Runs the walk. {@code l1} is the active L1 table as the caller read it; the walk reads every
   * L1 table itself, word by word, so that a word several tables share is read once.
   */
  void run(long[] l1) throws IOException {
    inc(0, cs);
    l1Tables();
    List<SnapshotEntry> snapshots = ctx.snapshots();
    long snapshotBytes = 0;
    for (SnapshotEntry s : snapshots) {
      snapshotBytes += s.length();
    }
    inc(h.snapshotsOffset(), snapshotBytes);
    inc(h.refcountTableOffset(), (long) h.refcountTableClusters() << clusterBits);
    if (!ctx.bitmaps().isEmpty()) {
      bitmaps(ctx.extensions().bitmaps().get(), ctx.bitmaps());
    }
    regions.apply();
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
      long words = entries[i] <= 0 ? 0 : wordsInFile(offset[i], entries[i]);
      wordStart[i] = words == 0 ? 0 : offset[i] >>> 3;
      wordEnd[i] = wordStart[i] + words;
    }
    RangeCoverage words = new RangeCoverage(wordStart, wordEnd, n, 0);
    memo = new L2TableMemo(2 * clusters + 64);
    words.forEach((a, b, count, active) -> readWords(a, b, (at, e) -> {
      long l2 = e & L1Entry.OFFSET_MASK;
      if (e != 0 && l2 < fileSize && !memo.add(l2, count, active ? count : 0)) {
        throw tooManyL2Tables();
      }
    }));
    for (int i = 0; i < n; i++) {
      if (i == 1 && ctx.externalData()) {
        error("ERROR " + snapshots.size() + " snapshots in image with data file");
      }
      if (entries[i] < 0) {
        error(snapshotProblem(snapshots.get(i - 1)));
        continue;
      }
      deferRegion(offset[i], 8L * entries[i]);
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
        + memo.size() + " distinct L2 tables, more than twice the " + clusters
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
    out.print(message);
    corruptions++;
    refblockCorruptions++;
    rebuild = true;
  }

  /**
   * Words [start, end) of L1 tables, {@code count} tables holding each (the active one among
   * them when {@code active}): each entry's problems and references counted {@code count} times.
   */
  private void l1Piece(long start, long end, long count, boolean active) throws IOException {
    readWords(start, end, (at, e) -> {
      ctx.step(count);
      if (e == 0) {
        return;
      }
      errorWeight = count;
      if ((e & L1Entry.RESERVED_MASK) != 0) {
        error(() -> "ERROR found L1 entry with reserved bits set: " + Long.toHexString(e));
      }
      long l2 = e & L1Entry.OFFSET_MASK;
      inc(l2, cs);
      if ((l2 & (cs - 1)) != 0) {
        error(() -> "ERROR l2_offset=" + Long.toHexString(l2)
            + ": Table is not cluster aligned; L1 entry corrupted");
      }
      errorWeight = 1;
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
      replay = lines;
      errorWeight = memo.refs(slot);
      try {
        l2Table(l2, memo.activeRefs(slot));
      } finally {
        replay = null;
        errorWeight = 1;
      }
      memo.walked(slot, lines);
      replays--;
    }
    List<String> lines = memo.messages(slot);
    for (long r = 0; r < replays && !lines.isEmpty() && out.open(); r++) {
      for (String line : lines) {
        out.print(line);
      }
    }
  }

  /**
   * Walks the L2 table at {@code l2} once for all its references ({@code errorWeight} of them,
   * {@code active} from the active table, whose statistics it counts that often).
   */
  private void l2Table(long l2, long active) throws IOException {
    boolean ext = h.hasExtendedL2();
    long[] t = readLongs(l2, cs / 8);
    long next = 0;
    for (int k = 0; k < t.length; k += ext ? 2 : 1) {
      long w = t[k];
      long bitmap = ext ? t[k + 1] : 0;
      CheckContext.Kind kind = ctx.kind(w);
      if (kind != CheckContext.Kind.COMPRESSED && (w & L2Entry.RESERVED_MASK) != 0) {
        error(() -> "ERROR found l2 entry with reserved bits set: " + Long.toHexString(w));
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
          allocated += active;
          compressed += active;
          fragmented += active;
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
              String problem = " offset=" + Long.toHexString(offset)
                  + ": Preallocated cluster is not properly aligned; L2 entry corrupted.";
              if (fixErrors) {
                // Fixed on the first walk: a later walk would find a zero cluster.
                out.print("Repairing" + problem);
                zeroEntry(l2, k, bitmap);
                corruptionsFixed++;
                continue;
              }
              error("ERROR" + problem);
            }
          }
          allocated += active;
          if (next != 0 && offset != next) {
            fragmented += active;
          }
          next = offset + cs;
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

  /** The bitmap tables, each word walked once and counted as often as tables hold it. */
  private void bitmaps(BitmapsExtension ext, List<BitmapDirectoryEntry> bitmaps)
      throws IOException {
    inc(ext.directoryOffset(), ext.directorySize());
    int n = bitmaps.size();
    long[] start = new long[n];
    long[] end = new long[n];
    for (int i = 0; i < n; i++) {
      BitmapDirectoryEntry b = bitmaps.get(i);
      long words = wordsInFile(b.tableOffset(), b.tableSize());
      start[i] = words == 0 ? 0 : b.tableOffset() >>> 3;
      end[i] = start[i] + words;
    }
    RangeCoverage words = new RangeCoverage(start, end, n, -1);
    for (int i = 0; i < n; i++) {
      BitmapDirectoryEntry b = bitmaps.get(i);
      deferRegion(b.tableOffset(), 8L * b.tableSize());
      words.visitNew(start[i], end[i], (from, to, count, marked) ->
          readWords(from, to, (at, e) -> {
            long off = e & DirtyBitmap.ENTRY_OFFSET;
            if ((e & DirtyBitmap.ENTRY_RESERVED) != 0 || (off & (cs - 1)) != 0
                || (off != 0 && (e & 1) != 0)) {
              corruptions += count;
              return;
            }
            if (off != 0) {
              errorWeight = count;
              inc(off, cs);
              errorWeight = 1;
            }
          }));
    }
  }

  /**
   * A problem, counted {@code errorWeight} times. Outside an L2 walk it is printed as often;
   * inside, once, and kept to print again at the table's further references.
   */
  private void error(String message) {
    error(() -> message);
  }

  /** As {@link #error(String)}, the line made only while lines are still shown. */
  private void error(Supplier<String> line) {
    corruptions += errorWeight;
    if (!out.open()) {
      out.skip();
      return;
    }
    String message = line.get();
    if (replay != null) {
      out.print(message);
      if (out.open()) {
        replay.add(message);
      }
    } else {
      out.print(message, errorWeight);
    }
  }

  /** Whether [offset, offset + size) may be counted; if not, the error qemu's check prints. */
  private boolean countable(long offset, long size) {
    if (size <= 0) {
      return false;
    }
    // The last cluster may be partly past the end of the file, never a whole cluster. Written
    // without offset + size, which a hostile offset near 2^63 overflows; a negative offset (a
    // snapshot's L1 offset is not masked) is past any end.
    if (offset < 0 || offset >= fileSize + cs - size) {
      error(() -> "ERROR: counting reference for region exceeding the end of the file by one "
          + "cluster or more: offset 0x" + Long.toHexString(offset) + " size 0x"
          + Long.toHexString(size));
      return false;
    }
    long last = (offset + size - 1) >>> clusterBits;
    if (last >= clusters) {
      clusters = last + 1;
      refs = Arrays.copyOf(refs, (int) clusters);
    }
    return true;
  }

  /** {@code errorWeight} references to every cluster of [offset, offset + size). */
  private void inc(long offset, long size) {
    if (!countable(offset, size)) {
      return;
    }
    long last = (offset + size - 1) >>> clusterBits;
    for (long c = offset >>> clusterBits; c <= last; c++) {
      add(c, errorWeight);
    }
  }

  /**
   * One reference to every cluster of a table's region, counted when all tables are known:
   * tables that overlap are then counted by their union, not one by one.
   */
  private void deferRegion(long offset, long size) {
    if (countable(offset, size)) {
      regions.add(offset >>> clusterBits, ((offset + size - 1) >>> clusterBits) + 1);
    }
  }

  /** {@code weight} references to cluster {@code c}; past the refcount's maximum, errors. */
  private void add(long c, long weight) {
    int k = (int) c;
    long max = Math.min(maxRefcount, 0xFFFFFFFFL);
    long now = Integer.toUnsignedLong(refs[k]);
    if (weight <= max - now) {
      refs[k] = (int) (now + weight);
      return;
    }
    refs[k] = (int) max;
    long excess = weight - (max - now);
    corruptions += excess;
    for (long i = 0; i < excess && out.open(); i++) {
      out.print("ERROR: overflow cluster offset=0x" + Long.toHexString(c << clusterBits));
      out.print("Use qemu-img amend to increase the refcount entry width or "
          + "qemu-img convert to create a clean copy if the image cannot be opened for writing");
    }
  }

  /** The cluster ranges of table regions, counted together by {@link #apply}. */
  private final class Regions {
    private long[] start = new long[16];
    private long[] end = new long[16];
    private int n;

    void add(long first, long endCluster) {
      if (n == start.length) {
        start = Arrays.copyOf(start, 2 * n);
        end = Arrays.copyOf(end, 2 * n);
      }
      start[n] = first;
      end[n++] = endCluster;
    }

    void apply() throws IOException {
      new RangeCoverage(start, end, n, -1).forEach((a, b, count, marked) -> {
        for (long c = a; c < b; c++) {
          ReferenceWalk.this.add(c, count);
        }
      });
      n = 0;
    }
  }

  /** How many of a table's {@code n} 8-byte entries at {@code offset} lie in the file. */
  private long wordsInFile(long offset, long n) {
    if (n <= 0 || offset < 0 || offset >= fileSize || (offset & 7) != 0) {
      return 0;
    }
    return Math.min(n, (fileSize - offset + 7) / 8);
  }

  @FunctionalInterface
  private interface Word {
    void accept(long word, long value) throws IOException;
  }

  /** The big-endian words [start, end) of the file (in 8-byte units), read in chunks. */
  private void readWords(long start, long end, Word w) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 * (int) Math.min(8192, end - start));
    for (long at = start; at < end; ) {
      int n = (int) Math.min(b.capacity() / 8, end - at);
      b.clear().limit(8 * n);
      file.readOrZero(b, at << 3);
      for (int i = 0; i < n; i++) {
        w.accept(at + i, b.getLong(8 * i));
      }
      at += n;
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
