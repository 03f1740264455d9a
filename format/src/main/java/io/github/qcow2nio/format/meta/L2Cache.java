package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.locks.StampedLock;

/**
 * A bounded cache of L2 tables, keyed by their host offset, each decoded to a {@code long[]} of raw
 * entry words (two words an entry with extended L2). Lookups allocate nothing: an open-addressing
 * index maps offsets to slots, and CLOCK picks the slot to reuse on a miss.
 *
 * <p>A hit takes no lock: every read of a disk asks for its table, and an uncontended monitor
 * still costs two atomic instructions per call (measurable against a 4 KiB pread). The index
 * and the slots change only under a {@link StampedLock}'s write lock (taken inside this object's
 * monitor, which still serializes every change), so a lookup probes optimistically and keeps
 * its answer only when no change overlapped it; otherwise it takes the monitor as before.
 */
public final class L2Cache {
  private final HostFile file;
  private final int clusterSize;
  private final int capacity;
  private final long[] slotKey;
  private final long[][] slotTable;
  private final boolean[] referenced;
  private final boolean[] dirty;
  private int dirtyCount;
  private int used;
  private int hand;
  // Open-addressing index: offset -> slot + 1 (0 = empty). Size is a power of two >= 2 capacity.
  private final long[] indexKey;
  private final int[] indexSlot;
  private final int indexMask;
  /** Held for writing around every change of the index or the slots' tables; see the class. */
  private final StampedLock changes = new StampedLock();

  public L2Cache(HostFile file, int clusterSize, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.file = file;
    this.clusterSize = clusterSize;
    this.capacity = capacity;
    this.slotKey = new long[capacity];
    this.slotTable = new long[capacity][];
    this.referenced = new boolean[capacity];
    this.dirty = new boolean[capacity];
    int indexSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
    this.indexKey = new long[indexSize];
    this.indexSlot = new int[indexSize];
    this.indexMask = indexSize - 1;
  }

  /**
   * What one slot costs beside its table's entries: the table array's header, the slot's key,
   * reference and dirty flags, and its share of the index (up to four index entries).
   */
  static final int SLOT_BYTES = 96;

  /**
   * How many tables fit in {@code bytes} of heap counting each slot's bookkeeping too; at least
   * 2. For a bound on the memory the cache holds, where {@link #capacityFor} counts table bytes
   * only (as QEMU's l2-cache-size does).
   */
  public static int capacityWithin(long bytes, int clusterSize) {
    return (int) Math.max(2, Math.min(Integer.MAX_VALUE / 4,
        bytes / ((long) clusterSize + SLOT_BYTES)));
  }

  /** How many tables fit, given a byte budget; at least 2, as QEMU insists. */
  public static int capacityFor(long bytes, int clusterSize) {
    return (int) Math.max(2, Math.min(Integer.MAX_VALUE / 4, bytes / clusterSize));
  }

  public int capacity() {
    return capacity;
  }

  /**
   * The L2 table at {@code offset} (cluster-aligned, nonzero), the one active L1 entry
   * {@code l1Index} points to (named in errors; messages are built only then, so a hit allocates
   * nothing), loading it on a miss. The caller must not modify the returned array.
   */
  public long[] get(long offset, long l1Index) throws IOException {
    long stamp = changes.tryOptimisticRead();
    if (stamp != 0) {
      long[] table = peek(offset);
      if (table != null && changes.validate(stamp)) {
        return table;
      }
    }
    return getLocked(offset, l1Index);
  }

  /**
   * The optimistic probe: may see a half-made change (then {@link StampedLock#validate} fails
   * and the answer is dropped), so it only reads, indexes arrays within their bounds, and gives
   * up after one pass over the index instead of trusting the chain to end.
   */
  private long[] peek(long offset) {
    int i = hash(offset);
    for (int probes = 0; probes <= indexMask; probes++) {
      int slot = indexSlot[i] - 1;
      if (slot < 0) {
        return null;
      }
      if (indexKey[i] == offset) {
        // A racy hint for CLOCK: at worst one eviction misjudges this table's recent use.
        referenced[slot] = true;
        return slotTable[slot];
      }
      i = (i + 1) & indexMask;
    }
    return null;
  }

  private synchronized long[] getLocked(long offset, long l1Index) throws IOException {
    int i = find(offset);
    if (i >= 0) {
      int slot = indexSlot[i] - 1;
      referenced[slot] = true;
      return slotTable[slot];
    }
    long[] table = load(offset, l1Index);
    long w = changes.writeLock();
    try {
      insert(offset, table);
    } finally {
      changes.unlockWrite(w);
    }
    return table;
  }

  /** Writes one dirty L2 table back to the image. */
  public interface TableWriter {
    void write(long offset, long[] table) throws IOException;
  }

  /**
   * The L2 table at {@code offset} for modification: loaded if needed and marked dirty, so that it
   * stays cached (and the array stays the live copy) until {@link #flush} writes it.
   */
  public synchronized long[] getForUpdate(long offset, long l1Index) throws IOException {
    long[] table = get(offset, l1Index);
    int at = find(offset);
    if (at < 0) {
      throw new IllegalStateException("L2 cache full of dirty tables; flush before adding one");
    }
    int slot = indexSlot[at] - 1;
    if (!dirty[slot]) {
      dirty[slot] = true;
      dirtyCount++;
    }
    return table;
  }

  /** Caches a new table (already dirty), e.g. a freshly allocated or copied L2 table. */
  public synchronized void putNew(long offset, long[] table) {
    long w = changes.writeLock();
    try {
      int i = find(offset);
      if (i >= 0) {
        removeSlot(indexSlot[i] - 1);
      }
      if (!insert(offset, table)) {
        throw new IllegalStateException("L2 cache full of dirty tables; flush before adding one");
      }
    } finally {
      changes.unlockWrite(w);
    }
    int slot = indexSlot[find(offset)] - 1;
    dirty[slot] = true;
    dirtyCount++;
  }

  /** How many cached tables wait to be written. */
  public synchronized int dirtyCount() {
    return dirtyCount;
  }

  /** Writes every dirty table in offset order and marks it clean. */
  public synchronized void flush(TableWriter writer) throws IOException {
    if (dirtyCount == 0) {
      return;
    }
    Integer[] slots = new Integer[dirtyCount];
    int n = 0;
    for (int s = 0; s < used; s++) {
      if (dirty[s]) {
        slots[n++] = s;
      }
    }
    java.util.Arrays.sort(slots, 0, n, (a, b) -> Long.compare(slotKey[a], slotKey[b]));
    for (int k = 0; k < n; k++) {
      writer.write(slotKey[slots[k]], slotTable[slots[k]]);
      dirty[slots[k]] = false;
      dirtyCount--;
    }
  }

  /** Drops the table at {@code offset} (its cluster was freed), dirty or not. */
  public synchronized void invalidate(long offset) {
    long w = changes.writeLock();
    try {
      int i = find(offset);
      if (i >= 0) {
        removeSlot(indexSlot[i] - 1);
      }
    } finally {
      changes.unlockWrite(w);
    }
  }

  // Empties a slot in place: the slot keeps no table and is reused first.
  private void removeSlot(int slot) {
    remove(slotKey[slot]);
    if (dirty[slot]) {
      dirty[slot] = false;
      dirtyCount--;
    }
    slotTable[slot] = null;
    referenced[slot] = false;
    slotKey[slot] = -1;
  }

  /** Forgets every cached table (after the tables changed on disk behind the cache). */
  public synchronized void clear() {
    long w = changes.writeLock();
    try {
      java.util.Arrays.fill(dirty, false);
      dirtyCount = 0;
      java.util.Arrays.fill(indexSlot, 0);
      java.util.Arrays.fill(slotTable, null);
      used = 0;
      hand = 0;
    } finally {
      changes.unlockWrite(w);
    }
  }

  private long[] load(long offset, long l1Index) throws IOException {
    String owner = "L1 index " + l1Index;
    long fileSize = file.size();
    if (offset > fileSize - clusterSize) {
      throw new CorruptImageException("L2 table (" + owner + ")", offset,
          "lies past the end of " + file.name() + " (" + fileSize + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate(clusterSize);
    int n = file.read(buf, offset);
    if (n != clusterSize) {
      throw new CorruptImageException("L2 table (" + owner + ")", offset,
          "read only " + n + " of " + clusterSize + " bytes");
    }
    buf.flip();
    long[] table = new long[clusterSize / 8];
    LongBuffer lb = buf.asLongBuffer();
    lb.get(table);
    return table;
  }

  /** Caches {@code table}; returns false (caching nothing) when every slot holds a dirty table. */
  private boolean insert(long offset, long[] table) {
    int slot;
    if (used < capacity) {
      slot = used++;
    } else {
      if (dirtyCount >= capacity) {
        return false;
      }
      // Dirty tables are never evicted: writers flush before the cache fills with them.
      while (referenced[hand] || dirty[hand]) {
        referenced[hand] = false;
        hand = (hand + 1) % capacity;
      }
      slot = hand;
      hand = (hand + 1) % capacity;
      remove(slotKey[slot]);
    }
    slotKey[slot] = offset;
    slotTable[slot] = table;
    referenced[slot] = true;
    int i = hash(offset);
    while (indexSlot[i] != 0) {
      i = (i + 1) & indexMask;
    }
    indexKey[i] = offset;
    indexSlot[i] = slot + 1;
    return true;
  }

  private int find(long offset) {
    int i = hash(offset);
    while (indexSlot[i] != 0) {
      if (indexKey[i] == offset) {
        return i;
      }
      i = (i + 1) & indexMask;
    }
    return -1;
  }

  // Backward-shift deletion keeps probe chains intact without tombstones.
  private void remove(long offset) {
    int i = find(offset);
    if (i < 0) {
      return;
    }
    indexSlot[i] = 0;
    int j = i;
    while (true) {
      j = (j + 1) & indexMask;
      if (indexSlot[j] == 0) {
        return;
      }
      int home = hash(indexKey[j]);
      boolean movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        indexKey[i] = indexKey[j];
        indexSlot[i] = indexSlot[j];
        indexSlot[j] = 0;
        i = j;
      }
    }
  }

  private int hash(long offset) {
    long h = offset * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & indexMask;
  }
}
