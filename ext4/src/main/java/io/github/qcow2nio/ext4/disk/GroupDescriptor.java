package io.github.qcow2nio.ext4.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One block group descriptor: where the group's inode table starts and whether its inodes were
 * ever initialised. The high halves exist only in 64-byte (64bit) descriptors.
 */
public record GroupDescriptor(long blockBitmap, long inodeBitmap, long inodeTable, int flags) {
  public static final int INODE_UNINIT = 0x1;

  /** Parses {@code size} (32 or more) bytes at the buffer's position. */
  public static GroupDescriptor parse(ByteBuffer buf, int size) {
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    boolean wide = size >= 64;
    long blockBitmap = Superblock.u32(b, p) | (wide ? Superblock.u32(b, p + 0x20) << 32 : 0);
    long inodeBitmap = Superblock.u32(b, p + 4) | (wide ? Superblock.u32(b, p + 0x24) << 32 : 0);
    long inodeTable = Superblock.u32(b, p + 8) | (wide ? Superblock.u32(b, p + 0x28) << 32 : 0);
    return new GroupDescriptor(blockBitmap, inodeBitmap, inodeTable, Superblock.u16(b, p + 0x12));
  }

  public boolean inodesUninitialised() {
    return (flags & INODE_UNINIT) != 0;
  }
}
