package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refcount blocks in memory, by host offset: a bounded LRU cache that writes back.
 *
 * <p>A block is dirty from its first change until a write of it succeeds, also when it is
 * evicted: the write comes before the block is forgotten, so a failed write keeps it cached and
 * dirty for the next flush (WRITE-PATH.md, "Failures").
 */
final class RefcountBlockCache {
  private final HostFile file;
  private final int clusterSize;
  private final int order;
  private final int capacity;
  private final LinkedHashMap<Long, RefcountBlock> cache = new LinkedHashMap<>(16, 0.75f, true);
  private final HashSet<Long> dirty = new HashSet<>();
  // The block used last, so that runs of lookups in one block neither box keys nor reorder the
  // LRU map; memoDirty says it is already in the dirty set. Dropped when the block leaves the
  // cache.
  private long memoOffset = -1;
  private RefcountBlock memoBlock;
  private boolean memoDirty;

  RefcountBlockCache(HostFile file, int clusterSize, int order) {
    this.file = file;
    this.clusterSize = clusterSize;
    this.order = order;
    this.capacity = Math.max(4, Math.min(64, (1 << 20) / clusterSize));
  }

  /**
   * Forgets every block: the refcount table was replaced by one that may name other blocks. Only
   * on a clean cache, so nothing unwritten is lost.
   */
  void clear() {
    if (!dirty.isEmpty()) {
      throw new IllegalStateException("refcount cache has unwritten changes");
    }
    cache.clear();
    memoOffset = -1;
    memoBlock = null;
    memoDirty = false;
  }

  /** The block at {@code offset}, read from the file if it is not cached. */
  RefcountBlock get(long offset) throws IOException {
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

  /** The block at {@code offset} was changed in memory: it is written by the next flush. */
  void markDirty(long offset) {
    if (offset != memoOffset || !memoDirty) {
      dirty.add(offset);
      if (offset == memoOffset) {
        memoDirty = true;
      }
    }
  }

  /**
   * Takes a block the caller has just written in full into the cache, clean. The caller runs
   * {@link #evict} once what depends on the block is written too.
   */
  void put(long offset, RefcountBlock b) {
    cache.put(offset, b);
  }

  private void memo(long offset, RefcountBlock b) {
    memoOffset = offset;
    memoBlock = b;
    memoDirty = dirty.contains(offset);
  }

  /** Drops the least recently used blocks past the capacity, writing dirty ones first. */
  void evict() throws IOException {
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

  /** Writes every dirty block, in file order (not forced). */
  void flush() throws IOException {
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

  boolean isDirty() {
    return !dirty.isEmpty();
  }
}
