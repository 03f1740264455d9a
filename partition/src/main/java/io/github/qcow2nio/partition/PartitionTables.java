package io.github.qcow2nio.partition;

import io.github.qcow2nio.partition.table.DiskAccess;
import io.github.qcow2nio.partition.table.GptWriter;
import io.github.qcow2nio.partition.table.MbrWriter;
import io.github.qcow2nio.partition.table.TableReader;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;

/**
 * Reads and creates partition tables on any channel. A channel that is not a
 * {@link java.nio.channels.FileChannel} is used under a lock of its own (position, then read).
 * None of these methods closes the channel.
 */
public final class PartitionTables {
  private PartitionTables() {}

  /**
   * The partition table of {@code disk}, or empty when the disk holds none (no boot signature, a
   * volume boot record such as a whole-disk FAT file system, no sane entry).
   *
   * @param sectorSize 0 to detect (GPT at 512 then 4096 bytes a sector; MBR in 512-byte sectors),
   *     or the logical sector size to use
   * @throws PartitionTableException when a table is there but damaged beyond use
   */
  public static Optional<PartitionTable> read(SeekableByteChannel disk, int sectorSize)
      throws IOException {
    return TableReader.read(DiskAccess.of(disk), sectorSize);
  }

  /**
   * Writes a new GPT on an empty disk of {@code diskSize} bytes, as sgdisk lays one out: a
   * protective MBR, 128 entries, partitions on 1 MiB boundaries in the order given, the backup
   * entries and header in the last sectors, random disk and partition GUIDs. The channel grows to
   * {@code diskSize} if it is shorter; its position is not kept.
   *
   * @return the table as read back from the disk
   */
  public static PartitionTable createGpt(SeekableByteChannel disk, long diskSize, int sectorSize,
      List<PartitionSpec> specs) throws IOException {
    GptWriter.create(DiskAccess.of(grow(disk, diskSize)), diskSize, sectorSize, specs);
    return readBack(disk, sectorSize);
  }

  /**
   * Writes a new MBR on an empty disk, as sfdisk lays one out: partitions on 1 MiB boundaries, a
   * random disk signature. Five or more specs make slot 4 an extended partition to the end of the
   * disk holding specs 4 and on as logical partitions (numbered 5 and on). The channel grows to
   * {@code diskSize} if it is shorter; its position is not kept.
   *
   * @return the table as read back from the disk
   */
  public static PartitionTable createMbr(SeekableByteChannel disk, long diskSize, int sectorSize,
      List<PartitionSpec> specs) throws IOException {
    MbrWriter.create(DiskAccess.of(grow(disk, diskSize)), diskSize, sectorSize, specs);
    return readBack(disk, sectorSize);
  }

  /** A new file is shorter than its disk; the table's bounds are checked against the size. */
  private static SeekableByteChannel grow(SeekableByteChannel disk, long diskSize)
      throws IOException {
    if (diskSize <= 0) {
      throw new IllegalArgumentException("disk size must be positive: " + diskSize);
    }
    if (disk.size() < diskSize) {
      disk.position(diskSize - 1);
      disk.write(java.nio.ByteBuffer.allocate(1));
    }
    return disk;
  }

  private static PartitionTable readBack(SeekableByteChannel disk, int sectorSize)
      throws IOException {
    return TableReader.read(DiskAccess.of(disk), sectorSize).orElseThrow(() ->
        new PartitionTableException("sector 0", 0, "the table just written"));
  }
}
