package io.github.qcow2nio.ext4.disk;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One node of an extent tree: the 12-byte header and its entries, index entries above the leaves
 * and extents in them. Entries must fit the node's bytes and be sorted by logical block, and a
 * leaf's extents must not overlap, so a lookup can stop at the first entry past its target.
 */
public record ExtentNode(int depth, long[] logical, long[] physical, int[] length,
    boolean[] uninitialized) {
  public static final int MAGIC = 0xF30A;
  public static final int MAX_DEPTH = 5;
  private static final int ENTRY = 12;
  private static final int INIT_MAX_LEN = 32768;

  public int entries() {
    return logical.length;
  }

  public boolean isLeaf() {
    return depth == 0;
  }

  /**
   * Parses the node in the {@code capacity} bytes at the buffer's position: the 60-byte
   * {@code i_block} of an inode or a whole tree block. {@code where} and {@code offset} name it in
   * errors; {@code blocksCount} bounds every block the node points to.
   */
  public static ExtentNode parse(ByteBuffer buf, int capacity, String where, long offset,
      long blocksCount) throws Ext4CorruptException {
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    if (Superblock.u16(b, p) != MAGIC) {
      throw new Ext4CorruptException(where, offset, "extent header magic 0xF30A, found 0x"
          + Integer.toHexString(Superblock.u16(b, p)));
    }
    int entries = Superblock.u16(b, p + 2);
    int max = Superblock.u16(b, p + 4);
    int depth = Superblock.u16(b, p + 6);
    if (max > (capacity - ENTRY) / ENTRY || entries > max) {
      throw new Ext4CorruptException(where, offset, "extent header entries " + entries
          + " <= max " + max + " <= " + (capacity - ENTRY) / ENTRY + " (what fits the node)");
    }
    if (depth > MAX_DEPTH) {
      throw new Ext4CorruptException(where, offset,
          "extent tree depth <= " + MAX_DEPTH + ", found " + depth);
    }
    if (depth > 0 && entries == 0) {
      // An index node points at the level below; the kernel sets an emptied tree's depth to 0.
      throw new Ext4CorruptException(where, offset,
          "an extent index node (depth " + depth + ") with at least one entry, found none");
    }
    long[] logical = new long[entries];
    long[] physical = new long[entries];
    int[] length = new int[entries];
    boolean[] uninit = new boolean[entries];
    long nextFree = 0;
    for (int i = 0; i < entries; i++) {
      int e = p + ENTRY * (i + 1);
      logical[i] = Superblock.u32(b, e);
      if (depth > 0) {
        physical[i] = Superblock.u32(b, e + 4) | (long) Superblock.u16(b, e + 8) << 32;
        length[i] = 1;
        if (i > 0 && logical[i] <= logical[i - 1]) {
          throw new Ext4CorruptException(where, offset, "extent index " + i
              + " sorted after logical block " + logical[i - 1] + ", found " + logical[i]);
        }
      } else {
        int len = Superblock.u16(b, e + 4);
        uninit[i] = len > INIT_MAX_LEN;
        length[i] = uninit[i] ? len - INIT_MAX_LEN : len;
        physical[i] = Superblock.u32(b, e + 8) | (long) Superblock.u16(b, e + 6) << 32;
        if (length[i] == 0 || logical[i] < nextFree) {
          throw new Ext4CorruptException(where, offset, "extent " + i + " non-empty and after"
              + " logical block " + nextFree + ", found " + length[i] + " blocks at " + logical[i]);
        }
        nextFree = logical[i] + length[i];
      }
      if (physical[i] + length[i] > blocksCount || physical[i] == 0) {
        throw new Ext4CorruptException(where, offset, "extent " + (depth > 0 ? "index " : "")
            + i + " within blocks 1.." + blocksCount + ", found block " + physical[i]
            + (depth > 0 ? "" : " length " + length[i]));
      }
    }
    return new ExtentNode(depth, logical, physical, length, uninit);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "ExtentNode[depth=" + depth + ", entries=" + logical.length + "]";
  }
}
