package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.TreeSet;

/**
 * The refcount table, the refcounts of host clusters through it, and the cluster allocator.
 * Refcount blocks are cached by {@code RefcountBlockCache}; a table that is too small is moved
 * to a bigger copy by {@code RefcountTableGrowth}.
 *
 * <p>Ordering contract (see WRITE-PATH.md): increments may reach the disk at any time, because a
 * refcount that is too high is only a leak; decrements are applied by callers only after the
 * structure that stopped referencing the cluster is durable. New refcount blocks and new refcount
 * tables are made durable before anything points to them.
 *
 * <p>Not thread-safe on its own: the disk's metadata lock serialises every caller.
 */
public final class RefcountManager {
  private static final long ENTRY_RESERVED = 0x1FFL;

  private final HostFile file;
  private final int clusterBits;
  private final int clusterSize;
  private final int order;
  private final int blockBits;
  private final long blockMask;
  private final long maxValue;
  private final RefcountBlockCache cache;
  private final RefcountTableGrowth growth;
  private final HashSet<Long> blocks = new HashSet<>();
  // Table entries set in memory whose 8-byte write has not succeeded yet: written by flush().
  private final TreeSet<Integer> dirtyEntries = new TreeSet<>();
  private long[] table;
  private long tableOffset;
  private int tableClusters;
  private long freeHint = 1;
  private long floor = 0;
  /** How many times a refcount was set to 0: a cluster seen before may since have been reused. */
  private long zeroed;

  private RefcountManager(HostFile file, HeaderUpdater header, long[] table) {
    Header h = header.header();
    this.file = file;
    this.clusterBits = h.clusterBits();
    this.clusterSize = h.clusterSize();
    this.order = h.refcountOrder();
    this.blockBits = clusterBits + 3 - order;
    this.blockMask = (1L << blockBits) - 1;
    this.maxValue = RefcountBlock.maxValue(order);
    this.cache = new RefcountBlockCache(file, clusterSize, order);
    this.growth = new RefcountTableGrowth(this, file, header, cache, clusterBits, order);
    this.table = table;
    this.tableOffset = h.refcountTableOffset();
    this.tableClusters = h.refcountTableClusters();
    for (long e : table) {
      if (e != 0) {
        blocks.add(e & ~ENTRY_RESERVED);
      }
    }
  }

  /**
   * True when the cluster at {@code offset} holds the refcount table or a refcount block: a
   * cluster the allocator must never hand out, whatever the refcounts say.
   */
  public boolean isRefcountMetadata(long offset) {
    long c = offset & ~((long) clusterSize - 1);
    return (c >= tableOffset && c < tableOffset + (long) tableClusters * clusterSize)
        || blocks.contains(c);
  }

  /** Reads the refcount table the header points to. */
  public static RefcountManager load(HostFile file, HeaderUpdater header) throws IOException {
    Header h = header.header();
    long bytes = (long) h.refcountTableClusters() * h.clusterSize();
    if (bytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      throw new CorruptImageException("refcount table", h.refcountTableOffset(),
          bytes + " bytes; at most " + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) bytes);
    file.readOrZero(buf, h.refcountTableOffset());
    buf.flip();
    long[] t = new long[(int) (bytes / 8)];
    buf.asLongBuffer().get(t);
    return new RefcountManager(file, header, t);
  }

  public int clusterBits() {
    return clusterBits;
  }

  /**
   * A count that grows whenever some refcount becomes 0: when it has not moved, no cluster was
   * freed (and so none reused) in between.
   */
  public long zeroedCount() {
    return zeroed;
  }

  public long maxValue() {
    return maxValue;
  }

  public long tableOffset() {
    return tableOffset;
  }

  public int tableClusters() {
    return tableClusters;
  }

  /** The refcount table's entries (a copy). */
  public long[] tableEntries() {
    return table.clone();
  }

  /**
   * Takes a refcount table written elsewhere (a snapshot operation's new copy, see {@link
   * RefcountShadow}) as the live one. Only on a clean manager (just flushed): cached blocks are
   * dropped, since the new table may name other blocks.
   */
  public void adopt(long[] newTable, long offset, int clusters) {
    if (isDirty()) {
      throw new IllegalStateException("refcount cache has unwritten changes");
    }
    cache.clear();
    table = newTable.clone();
    tableOffset = offset;
    tableClusters = clusters;
    blocks.clear();
    for (long e : table) {
      if (e != 0) {
        blocks.add(e & ~ENTRY_RESERVED);
      }
    }
    freeHint = 1;
  }

  /** The refcount of host cluster {@code index}. */
  public long get(long index) throws IOException {
    long ti = index >>> blockBits;
    if (ti >= table.length) {
      return 0;
    }
    long blockOffset = blockOffset((int) ti);
    if (blockOffset == 0) {
      return 0;
    }
    return cache.get(blockOffset).get((int) (index & blockMask));
  }

  /** Sets the refcount of {@code index}, creating its refcount block if needed. */
  public void set(long index, long value) throws IOException {
    if (Long.compareUnsigned(value, maxValue) > 0) {
      throw new Qcow2Exception("refcount of cluster " + index + " would overflow "
          + (1 << order) + " bits (" + Long.toUnsignedString(value) + ")");
    }
    while (true) {
      long ti = index >>> blockBits;
      if (ti >= table.length || blockOffset((int) ti) == 0) {
        createBlock(ti);
        continue;
      }
      long blockOffset = blockOffset((int) ti);
      // Loading the block is the last step that can fail: once the value changes, the call
      // succeeds, so callers can tell an applied change from one that never happened.
      RefcountBlock b = cache.get(blockOffset);
      b.set((int) (index & blockMask), value);
      cache.markDirty(blockOffset);
      if (value == 0) {
        zeroed++;
        if (index < freeHint) {
          freeHint = Math.max(1, index);
        }
      }
      return;
    }
  }

  /**
   * Drops one reference from host cluster {@code index}. Either the refcount is lower afterwards
   * or nothing changed (the call threw), so a caller can resume a list of decrements exactly.
   */
  public void decrement(long index) throws IOException {
    long v = get(index);
    if (v == 0) {
      throw new CorruptImageException("refcount of host cluster " + index, index << clusterBits,
          "freeing a cluster whose refcount is already 0");
    }
    set(index, v - 1);
  }

  public void increment(long index) throws IOException {
    long v = get(index);
    if (v == maxValue) {
      throw new Qcow2Exception("refcount of cluster " + index + " is already at its maximum "
          + Long.toUnsignedString(maxValue));
    }
    set(index, v + 1);
  }

  /** Drops one reference from every cluster overlapping {@code [offset, offset + length)}. */
  public void free(long offset, long length) throws IOException {
    if (length <= 0) {
      return;
    }
    long first = offset >>> clusterBits;
    long last = (offset + length - 1) >>> clusterBits;
    for (long c = first; c <= last; c++) {
      decrement(c);
    }
  }

  /**
   * Only clusters at or above {@code index} are handed out while set (used while repairing, when
   * refcounts below it may be too low). 0 lifts the floor.
   */
  public void setFloor(long index) {
    this.floor = index;
  }

  /**
   * Allocates {@code n} contiguous free clusters, first-fit from the lowest free cluster
   * remembered, sets their refcounts to 1 and returns the byte offset of the first.
   */
  public long allocate(long n) throws IOException {
    while (true) {
      long start = findFree(n);
      if (((start + n) << clusterBits) > Qcow2Limits.MAX_HOST_OFFSET + 1 || start + n < 0) {
        throw new Qcow2Exception(file.name() + ": no room for " + n
            + " more clusters below the 64 PiB host offset limit");
      }
      long missing = -1;
      for (long ti = start >>> blockBits; ti <= (start + n - 1) >>> blockBits; ti++) {
        if (ti >= table.length || blockOffset((int) ti) == 0) {
          missing = ti;
          break;
        }
      }
      if (missing >= 0) {
        createBlock(missing);
        continue;
      }
      for (long c = start; c < start + n; c++) {
        set(c, 1);
      }
      return start << clusterBits;
    }
  }

  private long findFree(long n) throws IOException {
    long idx = Math.max(Math.max(freeHint, floor), 1);
    long runStart = idx;
    long run = 0;
    boolean seenFree = false;
    while (run < n) {
      if (get(idx) == 0) {
        if (!seenFree && floor == 0) {
          freeHint = idx;
          seenFree = true;
        }
        if (run == 0) {
          runStart = idx;
        }
        run++;
      } else {
        run = 0;
      }
      idx++;
    }
    return runStart;
  }

  private long blockOffset(int ti) throws CorruptImageException {
    long e = table[ti];
    if ((e & ENTRY_RESERVED) != 0 || (e & (clusterSize - 1)) != 0) {
      throw new CorruptImageException("refcount table entry " + ti, tableOffset + 8L * ti,
          String.format("refcount block offset 0x%x is not cluster-aligned", e));
    }
    return e;
  }

  /** Writes every dirty refcount block and table entry (not forced). */
  public void flush() throws IOException {
    while (!dirtyEntries.isEmpty()) {
      writeEntry(dirtyEntries.first());
    }
    cache.flush();
  }

  public boolean isDirty() {
    return cache.isDirty() || !dirtyEntries.isEmpty();
  }

  private void writeEntry(int ti) throws IOException {
    file.write(ByteBuffer.allocate(8).putLong(0, table[ti]), tableOffset + 8L * ti);
    dirtyEntries.remove(ti);
  }

  /** Makes a refcount block for table index {@code ti} (growing the table when needed). */
  private void createBlock(long ti) throws IOException {
    if (ti >= table.length) {
      growth.grow(table, floor, ti);
      return;
    }
    long c = findFree(1);
    long cti = c >>> blockBits;
    if (cti != ti && (cti >= table.length || blockOffset((int) cti) == 0)) {
      createBlock(cti);
      return;
    }
    RefcountBlock b = new RefcountBlock(new byte[clusterSize], order);
    if (cti == ti) {
      b.set((int) (c & blockMask), 1);
    } else {
      set(c, 1);
      flush();
    }
    long off = c << clusterBits;
    // The block is durable before anything can point at it. From the entry's write on, the file
    // may name the block (even a write that throws may have landed), so memory takes it as made
    // and keeps the entry dirty until a write of it succeeds (flush() retries it).
    file.write(ByteBuffer.wrap(b.bytes()), off);
    file.force();
    table[(int) ti] = off;
    blocks.add(off);
    cache.put(off, b);
    dirtyEntries.add((int) ti);
    writeEntry((int) ti);
    cache.evict();
  }

  /**
   * Switches memory to a grown refcount table ({@link RefcountTableGrowth}), whose entries are
   * all on disk: no entry of the old table is left to rewrite.
   */
  void switchTable(long[] newTable, long newOffset, int clusters) {
    table = newTable;
    tableOffset = newOffset;
    tableClusters = clusters;
    dirtyEntries.clear();
  }

  /** Counts the cluster at {@code offset} as a refcount block from now on. */
  void addBlock(long offset) {
    blocks.add(offset);
  }
}
