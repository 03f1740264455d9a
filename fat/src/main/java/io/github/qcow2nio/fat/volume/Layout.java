package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatType;
import io.github.qcow2nio.fat.FormatOptions;

/**
 * Where a new volume's regions go: the geometry a formatter writes. FAT12, FAT16 or FAT32 by
 * size when none is asked for (FAT12 below 4.1 MB, FAT16 below 512 MiB, as the FAT
 * specification's tables and mkfs.fat choose), and a cluster size from the specification's
 * size tables unless one is given.
 */
public record Layout(FatType type, long totalSectors, int sectorsPerCluster, int reservedSectors,
    int fatCount, int rootEntries, long fatSize, long clusters) {

  public static final int SECTOR = 512;

  public static Layout plan(long size, FatType requested, FormatOptions opts) {
    long sectors = size / SECTOR;
    if (sectors > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("a FAT volume has at most 2^32-1 sectors: " + size);
    }
    FatType type = requested != null ? requested
        : sectors < 8400 ? FatType.FAT12 : sectors < (1L << 20) ? FatType.FAT16 : FatType.FAT32;
    int spc = opts.sectorsPerCluster() != 0 ? opts.sectorsPerCluster()
        : defaultSectorsPerCluster(type, sectors);
    while (true) {
      Layout l = compute(type, sectors, spc, opts);
      if (l != null && l.clusters >= minClusters(type) && l.clusters < type.clusterLimit() - 10) {
        return l;
      }
      boolean tooMany = l != null && l.clusters >= type.clusterLimit() - 10;
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
      case FAT12 -> 1;
      case FAT16 -> mib <= 16 ? 2 : mib <= 128 ? 4 : mib <= 256 ? 8 : mib <= 512 ? 16
          : mib <= 1024 ? 32 : mib <= 2048 ? 64 : 128;
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
