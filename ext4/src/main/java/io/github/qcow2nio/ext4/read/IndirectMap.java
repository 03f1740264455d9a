package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ext2/ext3 block map: twelve direct pointers, then one single, one double and one triple
 * indirect block. The depth is fixed by the logical block, so a walk reads at most three blocks;
 * a run extends while the pointers in one block stay consecutive (or stay zero, for holes).
 */
final class IndirectMap implements BlockMap {
  private static final int DIRECT = 12;

  private final Volume volume;
  private final Inode inode;
  private final long perBlock;
  private final ByteBuffer pointers;

  IndirectMap(Volume volume, Inode inode) {
    this.volume = volume;
    this.inode = inode;
    this.perBlock = volume.blockSize() / 4;
    this.pointers = ByteBuffer.wrap(inode.block()).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Logical blocks the map can address at all. */
  long capacity() {
    return DIRECT + perBlock + perBlock * perBlock + perBlock * perBlock * perBlock;
  }

  @Override
  public Run find(long logical) throws IOException {
    if (logical < DIRECT) {
      return runIn(pointers, (int) logical, DIRECT, logical, "i_block");
    }
    long rel = logical - DIRECT;
    long span = perBlock;
    for (int level = 1; level <= 3; level++) {
      if (rel < span) {
        return walk(pointer(pointers, DIRECT + level - 1), level, rel, logical);
      }
      rel -= span;
      span *= perBlock;
    }
    return new Run(logical, 0, Long.MAX_VALUE - logical);
  }

  /** Descends {@code levels} indirect blocks from {@code block} to the pointer of {@code rel}. */
  private Run walk(long block, int levels, long rel, long logical) throws IOException {
    long span = 1;
    for (int i = 1; i < levels; i++) {
      span *= perBlock;
    }
    for (int level = levels; level >= 1; level--) {
      if (block == 0) {
        return new Run(logical, 0, span * perBlock - rel);
      }
      ByteBuffer b = volume.block(block, "indirect block (level " + level + ") of inode "
          + inode.number());
      int index = (int) (rel / span);
      if (level == 1) {
        return runIn(b, index, (int) perBlock, logical, "indirect block " + block);
      }
      block = pointer(b, index);
      rel %= span;
      span /= perBlock;
    }
    throw new IllegalStateException("unreachable");
  }

  private Run runIn(ByteBuffer b, int index, int end, long logical, String where)
      throws Ext4CorruptException {
    long first = pointer(b, index);
    int n = 1;
    while (index + n < end) {
      long p = pointer(b, index + n);
      if (first == 0 ? p != 0 : p != first + n) {
        break;
      }
      n++;
    }
    if (first != 0 && first + n > volume.blocksCount()) {
      throw new Ext4CorruptException(where + " of inode " + inode.number(), -1,
          "data blocks below " + volume.blocksCount() + ", found " + first + " (+" + n + ")");
    }
    return new Run(logical, first, n);
  }

  private static long pointer(ByteBuffer b, int index) {
    return b.getInt(index * 4) & 0xFFFF_FFFFL;
  }
}
