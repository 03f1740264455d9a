package io.github.qcow2nio.ext4.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An image in memory with the few lookups a test needs to aim a corruption: superblock fields,
 * where an inode lies, the first block its i_block names. Written from the on-disk layout
 * independently of the reader, so a bug there cannot hide one here.
 */
public final class ImageBytes {
  public static final int SB = 1024;
  private final byte[] bytes;
  private final ByteBuffer b;

  public ImageBytes(byte[] bytes) {
    this.bytes = bytes;
    this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  public byte[] bytes() {
    return bytes;
  }

  public int u16(long at) {
    return b.getShort((int) at) & 0xFFFF;
  }

  public long u32(long at) {
    return b.getInt((int) at) & 0xFFFF_FFFFL;
  }

  public ImageBytes put16(long at, int v) {
    b.putShort((int) at, (short) v);
    return this;
  }

  public ImageBytes put32(long at, long v) {
    b.putInt((int) at, (int) v);
    return this;
  }

  public int blockSize() {
    return 1024 << u32(SB + 0x18);
  }

  /** Byte offset of group 0's descriptor. */
  public long descriptor(int group) {
    long firstData = u32(SB + 0x14);
    boolean wide = (u32(SB + 0x60) & 0x80) != 0;
    int size = wide ? u16(SB + 0xFE) : 32;
    return (firstData + 1) * blockSize() + (long) group * size;
  }

  public long inode(long ino) {
    long ipg = u32(SB + 0x28);
    int inodeSize = u16(SB + 0x58);
    int group = (int) ((ino - 1) / ipg);
    long table = u32(descriptor(group) + 8);
    return table * blockSize() + ((ino - 1) % ipg) * inodeSize;
  }

  /** Offset of {@code i_block} of inode {@code ino}. */
  public long iBlock(long ino) {
    return inode(ino) + 0x28;
  }

  /** The byte offset of the first data block of an extent-mapped inode whose tree is depth 0. */
  public long firstExtentBlock(long ino) {
    long root = iBlock(ino);
    if (u16(root) != 0xF30A || u16(root + 6) != 0) {
      throw new IllegalStateException("inode " + ino + " has no depth-0 extent root");
    }
    return u32(root + 12 + 8) * blockSize();
  }
}
