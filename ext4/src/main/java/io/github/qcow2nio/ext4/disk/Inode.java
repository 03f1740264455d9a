package io.github.qcow2nio.ext4.disk;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * An inode: type and permissions, owner, size, times, flags, the 60-byte {@code i_block} area
 * (block map, extent-tree root, fast symlink target or inline data) and the in-inode extended
 * attribute area that follows {@code i_extra_isize}.
 */
public record Inode(
    long number,
    int mode,
    long uid,
    long gid,
    long size,
    Instant atime,
    Instant ctime,
    Instant mtime,
    Instant crtime,
    int linksCount,
    long blocks512,
    int flags,
    byte[] block,
    int generation,
    long fileAcl,
    byte[] inlineXattrs) {

  public static final int S_IFMT = 0xF000;
  public static final int S_IFIFO = 0x1000;
  public static final int S_IFCHR = 0x2000;
  public static final int S_IFDIR = 0x4000;
  public static final int S_IFBLK = 0x6000;
  public static final int S_IFREG = 0x8000;
  public static final int S_IFLNK = 0xA000;
  public static final int S_IFSOCK = 0xC000;

  public static final int INDEX_FL = 0x1000;
  public static final int HUGE_FILE_FL = 0x40000;
  public static final int EXTENTS_FL = 0x80000;
  public static final int ENCRYPT_FL = 0x800;
  public static final int INLINE_DATA_FL = 0x10000000;

  public static final int BLOCK_AREA = 60;
  private static final int GOOD_OLD_SIZE = 128;

  /**
   * Parses inode {@code number} from {@code size} bytes at the buffer's position, which
   * {@code offset} locates on the device for error messages.
   */
  public static Inode parse(ByteBuffer buf, int size, long number, long offset,
      boolean hugeFile, int blockSize) throws Ext4CorruptException {
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    int extra = size > GOOD_OLD_SIZE ? Superblock.u16(b, p + 0x80) : 0;
    if (GOOD_OLD_SIZE + extra > size || extra % 4 != 0) {
      throw new Ext4CorruptException("inode " + number, offset, "i_extra_isize " + extra
          + " a multiple of 4 within the inode size " + size);
    }
    int flags = b.getInt(p + 0x20);
    long blocks = Superblock.u32(b, p + 0x1C) | (long) Superblock.u16(b, p + 0x74) << 32;
    if (hugeFile && (flags & HUGE_FILE_FL) != 0) {
      blocks *= blockSize / 512;
    }
    byte[] block = new byte[BLOCK_AREA];
    b.get(p + 0x28, block);
    int xattrStart = GOOD_OLD_SIZE + extra;
    byte[] xattrs = new byte[size - xattrStart];
    b.get(p + xattrStart, xattrs);
    return new Inode(number,
        Superblock.u16(b, p),
        Superblock.u16(b, p + 0x2) | (long) Superblock.u16(b, p + 0x78) << 16,
        Superblock.u16(b, p + 0x18) | (long) Superblock.u16(b, p + 0x7A) << 16,
        Superblock.u32(b, p + 0x4) | Superblock.u32(b, p + 0x6C) << 32,
        time(b, p + 0x8, p + 0x8C, extra >= 16),
        time(b, p + 0xC, p + 0x84, extra >= 8),
        time(b, p + 0x10, p + 0x88, extra >= 12),
        extra >= 24 ? time(b, p + 0x90, p + 0x94, true) : null,
        Superblock.u16(b, p + 0x1A),
        blocks,
        flags,
        block,
        b.getInt(p + 0x64),
        Superblock.u32(b, p + 0x68) | (long) Superblock.u16(b, p + 0x76) << 32,
        xattrs);
  }

  /**
   * Seconds are signed 32-bit; the extra word, when the inode has room for it, adds two epoch
   * bits above them (dates past 2038) and nanoseconds in its upper 30 bits.
   */
  private static Instant time(ByteBuffer b, int at, int extraAt, boolean hasExtra) {
    long seconds = b.getInt(at);
    if (!hasExtra) {
      return Instant.ofEpochSecond(seconds);
    }
    int extra = b.getInt(extraAt);
    seconds += (long) (extra & 3) << 32;
    return Instant.ofEpochSecond(seconds, (extra >>> 2) % 1_000_000_000);
  }

  public int type() {
    return mode & S_IFMT;
  }

  public boolean isDirectory() {
    return type() == S_IFDIR;
  }

  public boolean isRegularFile() {
    return type() == S_IFREG;
  }

  public boolean isSymlink() {
    return type() == S_IFLNK;
  }

  public int permissions() {
    return mode & 07777;
  }

  public boolean hasFlag(int flag) {
    return (flags & flag) != 0;
  }

  /** In use: a live inode has links (or is an open orphan) and a type. */
  public boolean isInUse() {
    return mode != 0 && linksCount > 0;
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(number);
  }

  @Override
  public String toString() {
    return "Inode[" + number + ", mode=0" + Integer.toOctalString(mode) + ", size=" + size + "]";
  }
}
