package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.Features;
import io.github.qcow2nio.ext4.disk.Superblock;
import io.github.qcow2nio.nio.NestedFileStore;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The volume, as the superblock describes it. Space figures are the superblock's counters, which
 * a clean unmount brings up to date. Attributes by name: {@code needsRecovery} (a journal waiting
 * for replay), {@code blockSize}, {@code uuid}, {@code volumeName}, {@code incompatFeatures},
 * each also with the prefix "ext4:".
 */
public final class Ext4FileStore extends NestedFileStore {
  private static final int EXT4_ONLY_INCOMPAT = Features.INCOMPAT_EXTENTS | Features.INCOMPAT_64BIT
      | Features.INCOMPAT_FLEX_BG | Features.INCOMPAT_INLINE_DATA | Features.INCOMPAT_META_BG
      | Features.INCOMPAT_MMP | Features.INCOMPAT_EA_INODE | Features.INCOMPAT_CSUM_SEED
      | Features.INCOMPAT_LARGEDIR | Features.INCOMPAT_CASEFOLD;
  private static final int EXT4_ONLY_RO_COMPAT = Features.RO_COMPAT_HUGE_FILE | 0x10 | 0x20
      | 0x40 | Features.RO_COMPAT_BIGALLOC | Features.RO_COMPAT_METADATA_CSUM;

  private final Ext4FileSystem fs;

  Ext4FileStore(Ext4FileSystem fs) {
    super(fs);
    this.fs = fs;
  }

  private Superblock sb() {
    return fs.superblock();
  }

  @Override
  public String name() {
    return sb().volumeName();
  }

  /**
   * "ext4" when any feature only ext4 has is on, "ext3" for a journal without them, "ext2"
   * otherwise: how blkid names them.
   */
  @Override
  public String type() {
    Features f = sb().features();
    if ((f.incompat() & EXT4_ONLY_INCOMPAT) != 0 || (f.roCompat() & EXT4_ONLY_RO_COMPAT) != 0) {
      return "ext4";
    }
    return f.hasJournal() ? "ext3" : "ext2";
  }

  @Override
  public long getTotalSpace() {
    return sb().blocksCount() * sb().blockSize();
  }

  /** Free space less the blocks reserved for root, as {@code df} shows "Avail". */
  @Override
  public long getUsableSpace() {
    return Math.max(0, getUnallocatedSpace() - sb().reservedBlocksCount() * sb().blockSize());
  }

  /** Free blocks; under bigalloc the counter is in clusters. */
  @Override
  public long getUnallocatedSpace() {
    long unit = sb().features().bigalloc() ? 1024L << sb().logClusterSize() : sb().blockSize();
    return Math.min(sb().freeBlocksCount(), sb().blocksCount()) * unit;
  }

  @Override
  public Object getAttribute(String attribute) {
    String name = attribute.startsWith("ext4:") ? attribute.substring(5) : attribute;
    return switch (name) {
      case "needsRecovery" -> fs.needsRecovery();
      case "blockSize" -> sb().blockSize();
      case "uuid" -> {
        ByteBuffer b = ByteBuffer.wrap(sb().uuid());
        yield new UUID(b.getLong(), b.getLong()).toString();
      }
      case "volumeName" -> sb().volumeName();
      case "incompatFeatures" -> Features.incompatNames(sb().features().incompat());
      case "totalSpace" -> getTotalSpace();
      case "usableSpace" -> getUsableSpace();
      case "unallocatedSpace" -> getUnallocatedSpace();
      default -> throw new UnsupportedOperationException("file store attribute '" + attribute
          + "'; this store has needsRecovery, blockSize, uuid, volumeName, incompatFeatures");
    };
  }

  @Override
  public long getBlockSize() {
    return sb().blockSize();
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ", " + fs.deviceUri() + ")";
  }
}
