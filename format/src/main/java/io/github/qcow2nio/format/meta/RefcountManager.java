package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The refcount table, a bounded write-back cache of refcount blocks, and the cluster allocator.
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
  private final HeaderUpdater header;
  private final int clusterBits;
  private final int clusterSize;
  private final int order;
  private final int blockBits;
  private final long blockMask;
  private final long maxValue;
  private final int capacity;
  private final LinkedHashMap<Long, RefcountBlock> cache = new LinkedHashMap<>(16, 0.75f, true);
  private final java.util.HashSet<Long> dirty = new java.util.HashSet<>();
  private final java.util.HashSet<Long> blocks = new java.util.HashSet<>();
  // Table entries set in memory whose 8-byte write has not succeeded yet: written by flush().
  private final java.util.TreeSet<Integer> dirtyEntries = new java.util.TreeSet<>();
  private long[] table;
  private long tableOffset;
  private int tableClusters;
  // The block used last, so that runs of lookups in one block neither box keys nor reorder the
  // LRU map; memoDirty says it is already in the dirty set. Dropped when the block leaves the cache.
  private long memoOffset = -1;
  private RefcountBlock memoBlock;
  private boolean memoDirty;
  private long freeHint = 1;
  private long floor = 0;

  private RefcountManager(HostFile file, HeaderUpdater header, long[] table) {
    Header h = header.header();
    this.file = file;
    this.header = header;
    this.clusterBits = h.clusterBits();
    this.clusterSize = h.clusterSize();
    this.order = h.refcountOrder();
    this.blockBits = clusterBits + 3 - order;
    this.blockMask = (1L << blockBits) - 1;
    this.maxValue = RefcountBlock.maxValue(order);
    this.capacity = Math.max(4, Math.min(64, (1 << 20) / clusterSize));
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
    memoOffset = -1;
    memoBlock = null;
    memoDirty = false;
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
    return block(blockOffset).get((int) (index & blockMask));
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
      RefcountBlock b = block(blockOffset);
      b.set((int) (index & blockMask), value);
      if (blockOffset != memoOffset || !memoDirty) {
        dirty.add(blockOffset);
        if (blockOffset == memoOffset) {
          memoDirty = true;
        }
      }
      if (value == 0 && index < freeHint) {
        freeHint = Math.max(1, index);
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

  private RefcountBlock block(long offset) throws IOException {
    if (offset == memoOffset) {
      return memoBlock;
    }
    RefcountBlock b = cache.get(offset);
    if (b != null) {
      memo(offset, b);
      return b;
    }
    long size = file.size();
    if (offset + clusterSize > size) {
      throw new CorruptImageException("refcount block", offset,
          "lies past the end of " + file.name() + " (" + size + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate(clusterSize);
    file.read(buf, offset);
    b = new RefcountBlock(buf.array(), order);
    cache.put(offset, b);
    evict();
    memo(offset, b);
    return b;
  }

  private void memo(long offset, RefcountBlock b) {
    memoOffset = offset;
    memoBlock = b;
    memoDirty = dirty.contains(offset);
  }

  private void evict() throws IOException {
    if (cache.size() <= capacity) {
      return;
    }
    Iterator<Map.Entry<Long, RefcountBlock>> it = cache.entrySet().iterator();
    while (cache.size() > capacity && it.hasNext()) {
      Map.Entry<Long, RefcountBlock> e = it.next();
      if (e.getKey() == memoOffset) {
        memoOffset = -1;
        memoBlock = null;
      }
      // Written before it is forgotten: a failed write keeps the block cached and dirty.
      if (dirty.contains(e.getKey())) {
        file.write(ByteBuffer.wrap(e.getValue().bytes()), e.getKey());
        dirty.remove(e.getKey());
      }
      it.remove();
    }
  }

  /** Writes every dirty refcount block and table entry (not forced). */
  public void flush() throws IOException {
    while (!dirtyEntries.isEmpty()) {
      writeEntry(dirtyEntries.first());
    }
    if (dirty.isEmpty()) {
      return;
    }
    Long[] offsets = dirty.toArray(new Long[0]);
    Arrays.sort(offsets);
    for (Long off : offsets) {
      file.write(ByteBuffer.wrap(cache.get(off).bytes()), off);
      dirty.remove(off);
      if (off == memoOffset) {
        // A flush that fails after this block must not leave the memo believing it still dirty.
        memoDirty = false;
      }
    }
  }

  public boolean isDirty() {
    return !dirty.isEmpty() || !dirtyEntries.isEmpty();
  }

  private void writeEntry(int ti) throws IOException {
    file.write(ByteBuffer.allocate(8).putLong(0, table[ti]), tableOffset + 8L * ti);
    dirtyEntries.remove(ti);
  }

  /** Makes a refcount block for table index {@code ti} (growing the table when needed). */
  private void createBlock(long ti) throws IOException {
    if (ti >= table.length) {
      growTable(ti);
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
    evict();
  }

  /**
   * Moves the refcount table to a bigger copy placed past every cluster the old one covers,
   * together with the refcount blocks that describe the copy and themselves.
   */
  private void growTable(long ti) throws IOException {
    long oldCap = table.length;
    long perCluster = clusterSize / 8;
    long s = Math.max(oldCap << blockBits, floor);
    long newCap = roundUp(Math.max(ti + 1, oldCap + (oldCap + 1) / 2), perCluster);
    long tClusters;
    long nb;
    while (true) {
      tClusters = newCap / perCluster;
      nb = 0;
      while (true) {
        long end = s + nb + tClusters;
        long need = ((end - 1) >>> blockBits) - (s >>> blockBits) + 1;
        if (need <= nb) {
          break;
        }
        nb = need;
      }
      long lastTi = (s + nb + tClusters - 1) >>> blockBits;
      if (lastTi < newCap) {
        break;
      }
      newCap = roundUp(lastTi + 1, perCluster);
    }
    if (newCap * 8 > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      throw new Qcow2Exception(file.name() + ": the refcount table would exceed "
          + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES + " bytes (" + newCap + " entries)");
    }
    long firstTi = s >>> blockBits;
    RefcountBlock[] blocks = new RefcountBlock[(int) nb];
    for (int k = 0; k < nb; k++) {
      blocks[k] = new RefcountBlock(new byte[clusterSize], order);
    }
    for (long cl = s; cl < s + nb + tClusters; cl++) {
      blocks[(int) ((cl >>> blockBits) - firstTi)].set((int) (cl & blockMask), 1);
    }
    long[] newTable = Arrays.copyOf(table, (int) newCap);
    // Block k sits at cluster s + k and describes table index firstTi + k.
    for (int k = 0; k < nb; k++) {
      newTable[(int) (firstTi + k)] = (s + k) << clusterBits;
      file.write(ByteBuffer.wrap(blocks[k].bytes()), (s + k) << clusterBits);
    }
    long newOffset = (s + nb) << clusterBits;
    ByteBuffer tb = ByteBuffer.allocate((int) (tClusters * clusterSize));
    tb.asLongBuffer().put(newTable);
    file.write(tb, newOffset);
    file.force();
    // The new table is durable and holds every entry of the old one. Memory switches before the
    // header does: once the header's write starts, the file may name either table, and later
    // changes must go to the new one. A header write that fails is written again by the next
    // flush (HeaderUpdater); the old table is then never freed, a leak.
    long oldOffset = tableOffset;
    int oldClusters = tableClusters;
    table = newTable;
    tableOffset = newOffset;
    tableClusters = (int) tClusters;
    dirtyEntries.clear();
    for (int k = 0; k < nb; k++) {
      cache.put((s + k) << clusterBits, blocks[k]);
      this.blocks.add((s + k) << clusterBits);
    }
    header.setRefcountTable(newOffset, (int) tClusters);
    file.force();
    evict();
    free(oldOffset, (long) oldClusters * clusterSize);
  }

  private static long roundUp(long v, long m) {
    return (v + m - 1) / m * m;
  }
}
