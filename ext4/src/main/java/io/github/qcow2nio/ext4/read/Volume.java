package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.GroupDescriptor;
import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Superblock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An open ext2/3/4 volume: its superblock, where each group's descriptor and inode table are,
 * and bounds-checked reads of blocks and inodes. Descriptors are read when first needed, so a
 * huge group count costs nothing up front.
 */
public final class Volume implements Closeable {
  public static final long ROOT_INODE = 2;
  private static final int DESCRIPTOR_CACHE = 4096;

  private final BlockDevice device;
  private final Superblock sb;
  private final int blockSize;
  private final BlockCache cache;
  private final Map<Long, GroupDescriptor> descriptors = new ConcurrentHashMap<>();

  private Volume(BlockDevice device, Superblock sb) {
    this.device = device;
    this.sb = sb;
    this.blockSize = sb.blockSize();
    this.cache = new BlockCache(blockSize);
  }

  /**
   * Opens the volume whose superblock {@code sb} was read from {@code device}: refuses INCOMPAT
   * features it cannot read, a block count the device cannot hold, and a descriptor table that
   * does not fit.
   */
  public static Volume open(BlockDevice device, Superblock sb) throws IOException {
    sb.features().checkReadable();
    long bytes = Math.multiplyHigh(sb.blocksCount(), sb.blockSize()) != 0 ? Long.MAX_VALUE
        : sb.blocksCount() * sb.blockSize();
    if (bytes > device.size()) {
      throw new Ext4CorruptException("superblock", Superblock.OFFSET, "a block count the device"
          + " holds: " + sb.blocksCount() + " blocks of " + sb.blockSize() + " need " + bytes
          + " bytes, the device has " + device.size());
    }
    Volume v = new Volume(device, sb);
    long groups = sb.groupCount();
    long plain = sb.features().metaBg()
        ? Math.min(groups, sb.firstMetaBg() * sb.descriptorsPerBlock()) : groups;
    long tableBlocks = (plain * sb.groupDescriptorSize() + sb.blockSize() - 1) / sb.blockSize();
    if (sb.firstDataBlock() + 1 + tableBlocks > sb.blocksCount()) {
      throw new Ext4CorruptException("group descriptor table",
          (sb.firstDataBlock() + 1) * sb.blockSize(), tableBlocks + " blocks for " + plain
              + " groups within the " + sb.blocksCount() + " blocks of the file system");
    }
    v.descriptor(0);
    return v;
  }

  public Superblock superblock() {
    return sb;
  }

  public int blockSize() {
    return blockSize;
  }

  public long blocksCount() {
    return sb.blocksCount();
  }

  /** A metadata block, cached; {@code what} names it in errors. */
  public ByteBuffer block(long block, String what) throws IOException {
    checkBlock(block, what);
    ByteBuffer b = cache.get(block);
    if (b == null) {
      b = ByteBuffer.allocate(blockSize);
      device.readFully(b, block * blockSize);
      b.flip();
      cache.put(block, b);
    }
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads {@code dst.remaining()} bytes of file data starting at {@code block}, uncached. */
  public void readData(long block, int offsetInBlock, ByteBuffer dst) throws IOException {
    long blocks = (offsetInBlock + (long) dst.remaining() + blockSize - 1) / blockSize;
    checkBlock(block, "data block");
    checkBlock(block + blocks - 1, "data block");
    device.readFully(dst, block * blockSize + offsetInBlock);
  }

  private void checkBlock(long block, String what) throws Ext4CorruptException {
    if (block < 0 || block >= sb.blocksCount()) {
      throw new Ext4CorruptException(what, -1, "a block number below " + sb.blocksCount()
          + ", found " + block);
    }
  }

  /** Whether group {@code g} holds a superblock backup (and so a descriptor table copy). */
  boolean hasSuperblock(long g) {
    if (g == 0) {
      return true;
    }
    if (sb.features().sparseSuper2()) {
      return g == sb.backupBg0() || g == sb.backupBg1();
    }
    if (!sb.features().sparseSuper() || g == 1) {
      return true;
    }
    return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
  }

  private static boolean isPower(long n, int base) {
    long p = base;
    while (p < n) {
      p *= base;
    }
    return p == n;
  }

  /**
   * The descriptor of group {@code g}: in the table after the superblock, or with meta_bg (from
   * group {@code first_meta_bg * per-block}) in the first block group of its meta group, after
   * that group's superblock backup if it has one.
   */
  GroupDescriptor descriptor(long g) throws IOException {
    GroupDescriptor d = descriptors.get(g);
    if (d != null) {
      return d;
    }
    int size = sb.groupDescriptorSize();
    int perBlock = sb.descriptorsPerBlock();
    long tableBlock;
    if (sb.features().metaBg() && g >= sb.firstMetaBg() * perBlock) {
      long first = g / perBlock * perBlock;
      tableBlock = sb.firstDataBlock() + first * sb.blocksPerGroup()
          + (hasSuperblock(first) ? 1 : 0);
    } else {
      tableBlock = sb.firstDataBlock() + 1 + g / perBlock;
    }
    String what = "group descriptor " + g;
    ByteBuffer b = block(tableBlock, what);
    int at = (int) (g % perBlock) * size;
    d = GroupDescriptor.parse(b.position(at), size);
    long tableBlocks = (sb.inodesPerGroup() * sb.inodeSize() + blockSize - 1) / blockSize;
    if (d.inodeTable() < sb.firstDataBlock() || d.inodeTable() > sb.blocksCount() - tableBlocks) {
      throw new Ext4CorruptException(what, tableBlock * blockSize + at, "an inode table of "
          + tableBlocks + " blocks within the file system's " + sb.blocksCount()
          + " blocks, found it at block " + d.inodeTable());
    }
    if (descriptors.size() >= DESCRIPTOR_CACHE) {
      descriptors.clear();
    }
    descriptors.put(g, d);
    return d;
  }

  /** Inode {@code number}, which must lie within the inode count. */
  public Inode inode(long number) throws IOException {
    if (number < 1 || number > sb.inodesCount()) {
      throw new Ext4CorruptException("inode number", -1, "1.." + sb.inodesCount() + ", found "
          + number);
    }
    long group = (number - 1) / sb.inodesPerGroup();
    long index = (number - 1) % sb.inodesPerGroup();
    GroupDescriptor d = descriptor(group);
    long byteInTable = index * sb.inodeSize();
    long block = d.inodeTable() + byteInTable / blockSize;
    int at = (int) (byteInTable % blockSize);
    ByteBuffer b = block(block, "inode table of group " + group);
    return Inode.parse(b.position(at), sb.inodeSize(), number, block * blockSize + at,
        sb.features().hugeFile(), blockSize);
  }

  @Override
  public void close() throws IOException {
    device.close();
  }
}
