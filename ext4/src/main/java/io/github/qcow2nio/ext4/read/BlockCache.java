package io.github.qcow2nio.ext4.read;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently read metadata blocks (inode tables, extent and indirect blocks, directory blocks), so
 * that walking a tree or resolving paths does not reread them. Bounded by bytes; least recently
 * used goes first.
 */
final class BlockCache {
  private static final long CAPACITY_BYTES = 8L << 20;
  private final Map<Long, ByteBuffer> blocks;

  BlockCache(int blockSize) {
    int capacity = (int) Math.max(16, CAPACITY_BYTES / blockSize);
    this.blocks = new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized ByteBuffer get(long block) {
    ByteBuffer b = blocks.get(block);
    return b == null ? null : b.duplicate();
  }

  synchronized void put(long block, ByteBuffer data) {
    blocks.put(block, data.asReadOnlyBuffer());
  }
}
