package io.github.qcow2nio.ext4.disk;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The superblock, 1024 bytes at byte 1024 of the device. Only the fields a reader needs are kept;
 * {@link #probe} decides whether the bytes are an ext2/3/4 file system at all, and the
 * constructor-side checks in {@link #parse} make every derived number safe to compute with.
 */
public record Superblock(
    long inodesCount,
    long blocksCount,
    long reservedBlocksCount,
    long freeBlocksCount,
    long freeInodesCount,
    long firstDataBlock,
    int logBlockSize,
    int logClusterSize,
    long blocksPerGroup,
    long inodesPerGroup,
    int state,
    int revLevel,
    long firstIno,
    int inodeSize,
    Features features,
    byte[] uuid,
    String volumeName,
    int descSize,
    long firstMetaBg,
    long journalInum,
    long backupBg0,
    long backupBg1,
    long mkfsTime) {

  public static final int OFFSET = 1024;
  public static final int SIZE = 1024;
  public static final int MAGIC = 0xEF53;

  public int blockSize() {
    return 1024 << logBlockSize;
  }

  public long groupCount() {
    return ceilDiv(blocksCount - firstDataBlock, blocksPerGroup);
  }

  /** Bytes of one group descriptor: 32 unless 64bit says otherwise. */
  public int groupDescriptorSize() {
    return features.is64Bit() ? descSize : 32;
  }

  public int descriptorsPerBlock() {
    return blockSize() / groupDescriptorSize();
  }

  /**
   * The ext2/3/4 superblock in {@code sb}, if its magic and the fields every later computation
   * divides or shifts by are sane; empty otherwise (the bytes are something else).
   */
  public static Optional<Superblock> probe(ByteBuffer sb) {
    if (sb.remaining() < SIZE) {
      return Optional.empty();
    }
    ByteBuffer b = sb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int base = b.position();
    if (u16(b, base + 0x38) != MAGIC) {
      return Optional.empty();
    }
    Superblock s = read(b, base);
    return s.sane() ? Optional.of(s) : Optional.empty();
  }

  /** Like {@link #probe}, for bytes already known to be ours: insanity is corruption. */
  public static Superblock parse(ByteBuffer sb) throws Ext4CorruptException {
    return probe(sb).orElseThrow(() -> new Ext4CorruptException("superblock", OFFSET,
        "magic 0xEF53 and sane block size, group sizes, inode size and counts"));
  }

  private static Superblock read(ByteBuffer b, int base) {
    Features f = new Features(b.getInt(base + 0x5C), b.getInt(base + 0x60), b.getInt(base + 0x64));
    boolean wide = f.is64Bit();
    long blocks = u32(b, base + 0x04) | (wide ? u32(b, base + 0x150) << 32 : 0);
    long reserved = u32(b, base + 0x08) | (wide ? u32(b, base + 0x154) << 32 : 0);
    long free = u32(b, base + 0x0C) | (wide ? u32(b, base + 0x158) << 32 : 0);
    int rev = b.getInt(base + 0x4C);
    byte[] uuid = new byte[16];
    b.get(base + 0x68, uuid);
    byte[] name = new byte[16];
    b.get(base + 0x78, name);
    int len = 0;
    while (len < name.length && name[len] != 0) {
      len++;
    }
    return new Superblock(
        u32(b, base), blocks, reserved, free, u32(b, base + 0x10), u32(b, base + 0x14),
        b.getInt(base + 0x18), b.getInt(base + 0x1C), u32(b, base + 0x20), u32(b, base + 0x28),
        u16(b, base + 0x3A), rev,
        rev == 0 ? 11 : u32(b, base + 0x54),
        rev == 0 ? 128 : u16(b, base + 0x58),
        f, uuid, new String(name, 0, len, StandardCharsets.UTF_8),
        u16(b, base + 0xFE), u32(b, base + 0x104), u32(b, base + 0xE0),
        u32(b, base + 0x24C), u32(b, base + 0x250), u32(b, base + 0x108));
  }

  /**
   * The checks that keep later arithmetic bounded: block size 1 KiB..64 KiB, group sizes that a
   * one-block bitmap can describe, an inode size that is a power of two within a block, counts
   * that agree with the group geometry, and a descriptor size the 64bit feature allows.
   */
  private boolean sane() {
    if (logBlockSize < 0 || logBlockSize > 6 || (revLevel != 0 && revLevel != 1)) {
      return false;
    }
    int bs = blockSize();
    if (blocksPerGroup < 8 || blocksPerGroup > 8L * bs || inodesPerGroup < 1
        || inodesPerGroup > 8L * bs) {
      return false;
    }
    if (inodeSize < 128 || inodeSize > bs || Integer.bitCount(inodeSize) != 1) {
      return false;
    }
    if (blocksCount <= firstDataBlock || firstDataBlock > 1 || blocksCount >= (1L << 48)) {
      return false;
    }
    long g = groupCount();
    long inodeCapacity = Math.multiplyHigh(g, inodesPerGroup) != 0 || g * inodesPerGroup < 0
        ? Long.MAX_VALUE : g * inodesPerGroup;
    if (inodesCount < 2 || inodesCount > inodeCapacity) {
      return false;
    }
    if (firstIno < 1 || firstIno > inodesCount) {
      return false;
    }
    if (features.is64Bit()
        && (descSize < 32 || descSize > 1024 || Integer.bitCount(descSize) != 1)) {
      return false;
    }
    return !features.bigalloc() || (logClusterSize >= logBlockSize && logClusterSize <= 16);
  }

  public boolean isClean() {
    return (state & 1) != 0;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  static int u16(ByteBuffer b, int at) {
    return b.getShort(at) & 0xFFFF;
  }

  static long u32(ByteBuffer b, int at) {
    return b.getInt(at) & 0xFFFF_FFFFL;
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
    return "Superblock[blocks=" + blocksCount + ", blockSize=" + blockSize() + ", inodes="
        + inodesCount + ", " + features + "]";
  }
}
