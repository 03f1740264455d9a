package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.PartitionTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Finds the partition table of a disk. Empty means "not a partition table" (no 0x55AA, a volume
 * boot record, no sane entry), so that a caller can try other formats; a table that is there but
 * broken is a {@link io.github.qcow2nio.partition.PartitionTableException}.
 */
public final class TableReader {
  /** The sector sizes GPT detection tries, in order. */
  static final int[] GPT_SECTOR_SIZES = {512, 4096};

  private TableReader() {}

  /**
   * Reads the table of {@code disk}. {@code sectorSize} 0 detects it (GPT at 512 then 4096 bytes;
   * MBR is read in 512-byte sectors); anything else forces it.
   */
  public static Optional<PartitionTable> read(DiskAccess disk, int sectorSize) throws IOException {
    if (sectorSize != 0 && !validSectorSize(sectorSize)) {
      throw new IllegalArgumentException("sectorSize must be a power of two from 512 to 4096: "
          + sectorSize);
    }
    if (disk.size() < MasterBootRecord.SIZE) {
      return Optional.empty();
    }
    ByteBuffer sector0 = disk.readFully(0, MasterBootRecord.SIZE);
    MasterBootRecord mbr = MasterBootRecord.parse(sector0);
    if (!mbr.signed()) {
      return Optional.empty();
    }
    if (mbr.hasProtectiveEntry()) {
      // A hybrid MBR has other entries beside 0xEE; the GPT is the real table.
      int[] sizes = sectorSize == 0 ? GPT_SECTOR_SIZES : new int[] {sectorSize};
      return Optional.of(GptReader.read(disk, sizes));
    }
    return MbrReader.read(disk, sector0, mbr, sectorSize == 0 ? 512 : sectorSize);
  }

  static boolean validSectorSize(int s) {
    return s >= 512 && s <= 4096 && (s & (s - 1)) == 0;
  }
}
