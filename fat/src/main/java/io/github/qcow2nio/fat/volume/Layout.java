package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatType;
import io.github.qcow2nio.fat.FormatOptions;

/**
 * Where a new volume's regions go: the geometry a formatter writes. When no type is asked for,
 * the choice follows what mkfs.fat 4.2 is seen to do: FAT12 while 4-sector clusters stay below
 * FAT12's limit, FAT16 below 512 MiB, FAT32 from there. Clusters start at 4 sectors on FAT12/16
 * (more when there would be too many, fewer when too few) and follow the FAT specification's
 * size table on FAT32 (4 KiB up to 8 GiB), unless a size is given.
 */
public record Layout(FatType type, long totalSectors, int sectorsPerCluster, int reservedSectors,
    int fatCount, int rootEntries, long fatSize, long clusters) {

  public static final int SECTOR = 512;

  public static Layout plan(long size, FatType requested, FormatOptions opts) {
    long sectors = size / SECTOR;
    if (sectors > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("a FAT volume has at most 2^32-1 sectors: " + size);
    }
    FatType type = requested;
    if (type == null) {
      Layout small = compute(FatType.FAT12, sectors,
          opts.sectorsPerCluster() != 0 ? opts.sectorsPerCluster() : 4, opts);
      type = small != null && small.clusters < FatType.FAT12.clusterLimit() ? FatType.FAT12
          : sectors < (1L << 20) ? FatType.FAT16 : FatType.FAT32;
    }
    int spc = opts.sectorsPerCluster() != 0 ? opts.sectorsPerCluster()
        : defaultSectorsPerCluster(type, sectors);
    while (true) {
      Layout l = compute(type, sectors, spc, opts);
      if (l != null && l.clusters >= minClusters(type) && l.clusters < type.clusterLimit()) {
        return l;
      }
      boolean tooMany = l != null && l.clusters >= type.clusterLimit();
      if (opts.sectorsPerCluster() != 0 || (tooMany ? spc >= 128 : spc <= 1)) {
        throw new IllegalArgumentException(size + " bytes make no " + type + " volume with "
            + spc + " sectors per cluster" + (l == null ? "" : " (" + l.clusters + " clusters)"));
      }
      spc = tooMany ? spc * 2 : spc / 2;
    }
  }

  private static long minClusters(FatType type) {
    return switch (type) {
      case FAT12 -> 1;
      case FAT16 -> FatType.FAT12.clusterLimit();
      case FAT32 -> FatType.FAT16.clusterLimit();
    };
  }

  private static int defaultSectorsPerCluster(FatType type, long sectors) {
    long mib = sectors / 2048;
    return switch (type) {
      case FAT12, FAT16 -> 4;
      case FAT32 -> mib <= 8192 ? 8 : mib <= 16384 ? 16 : mib <= 32768 ? 32 : 64;
    };
  }

  private static Layout compute(FatType type, long sectors, int spc, FormatOptions opts) {
    int reserved = type == FatType.FAT32 ? 32 : 1;
    int perSector = SECTOR / 32;
    int root = type == FatType.FAT32 ? 0
        : (opts.rootEntries() + perSector - 1) / perSector * perSector;
    long rootSectors = (long) root * 32 / SECTOR;
    int bits = type == FatType.FAT32 ? 32 : type.bits();
    long fatSize = 1;
    long clusters;
    while (true) {
      long data = sectors - reserved - opts.fatCount() * fatSize - rootSectors;
      if (data < spc) {
        return null;
      }
      clusters = data / spc;
      long need = ((clusters + 2) * bits + 8L * SECTOR - 1) / (8L * SECTOR);
      if (need <= fatSize) {
        break;
      }
      fatSize = need;
    }
    return new Layout(type, sectors, spc, reserved, opts.fatCount(), root, fatSize, clusters);
  }

  public long dataStartSector() {
    return reservedSectors + fatCount * fatSize + (long) rootEntries * 32 / SECTOR;
  }
}
