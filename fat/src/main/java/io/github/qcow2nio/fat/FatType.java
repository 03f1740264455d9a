package io.github.qcow2nio.fat;

/** The three FAT variants, by the width of an allocation-table entry. */
public enum FatType {
  FAT12(12, 4085),
  FAT16(16, 65525),
  FAT32(28, 268_435_445);

  private final int bits;
  private final long clusterLimit;

  FatType(int bits, long clusterLimit) {
    this.bits = bits;
    this.clusterLimit = clusterLimit;
  }

  /** Significant bits of one table entry (FAT32 entries are 32 bits wide, 28 significant). */
  public int bits() {
    return bits;
  }

  /** Data clusters must stay below this count for the type (the specification's thresholds). */
  public long clusterLimit() {
    return clusterLimit;
  }

  /** The type the specification assigns to a volume by its count of data clusters. */
  public static FatType ofClusterCount(long clusters) {
    if (clusters < FAT12.clusterLimit) {
      return FAT12;
    }
    return clusters < FAT16.clusterLimit ? FAT16 : FAT32;
  }
}
