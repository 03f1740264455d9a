package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.ExtentNode;
import io.github.qcow2nio.ext4.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The extent tree of one inode, walked from the root in {@code i_block} for each lookup. Each
 * child must sit exactly one level below its parent, so a tree block that points back up (a
 * loop) or skips levels is corruption, and a lookup reads at most {@link ExtentNode#MAX_DEPTH}
 * blocks.
 */
final class ExtentMap implements BlockMap {
  /** Logical block numbers are 32 bits. */
  private static final long END = 1L << 32;

  private final Volume volume;
  private final Inode inode;
  private final ExtentNode root;

  ExtentMap(Volume volume, Inode inode) throws IOException {
    this.volume = volume;
    this.inode = inode;
    this.root = ExtentNode.parse(ByteBuffer.wrap(inode.block()), Inode.BLOCK_AREA,
        "extent tree root of inode " + inode.number(), -1, volume.blocksCount());
  }

  @Override
  public Run find(long logical) throws IOException {
    if (logical >= END) {
      return new Run(logical, 0, Long.MAX_VALUE - logical);
    }
    ExtentNode node = root;
    long limit = END;
    while (!node.isLeaf()) {
      int i = lastAtOrBefore(node, logical);
      if (i < 0) {
        return new Run(logical, 0, node.logical()[0] - logical);
      }
      if (i + 1 < node.entries()) {
        limit = Math.min(limit, node.logical()[i + 1]);
      }
      long child = node.physical()[i];
      ByteBuffer b = volume.block(child, "extent tree block of inode " + inode.number());
      ExtentNode next = ExtentNode.parse(b, volume.blockSize(), "extent tree block of inode "
          + inode.number(), child * volume.blockSize(), volume.blocksCount());
      if (next.depth() != node.depth() - 1) {
        throw new Ext4CorruptException("extent tree block of inode " + inode.number(),
            child * volume.blockSize(), "depth " + (node.depth() - 1) + " below its parent, found "
                + next.depth() + " (a loop or a malformed tree)");
      }
      node = next;
    }
    int i = lastAtOrBefore(node, logical);
    if (i >= 0 && logical < node.logical()[i] + node.length()[i]) {
      long into = logical - node.logical()[i];
      long len = node.length()[i] - into;
      return new Run(logical, node.uninitialized()[i] ? 0 : node.physical()[i] + into, len);
    }
    long next = i + 1 < node.entries() ? Math.min(limit, node.logical()[i + 1]) : limit;
    return new Run(logical, 0, Math.max(1, next - logical));
  }

  /** Index of the last entry starting at or before {@code logical}, or -1. */
  private static int lastAtOrBefore(ExtentNode node, long logical) {
    int lo = 0;
    int hi = node.entries() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (node.logical()[mid] <= logical) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
