package io.github.qcow2nio.fat;

import java.util.Objects;

/**
 * What {@link FatFormatter} may be told, as {@code mkfs.fat} options: a volume label
 * ({@code -n}, up to 11 characters, stored upper-cased), a volume id ({@code -i}), sectors per
 * cluster ({@code -s}; 0 picks by size), FAT copies ({@code -f}) and root-directory entries for
 * FAT12/16 ({@code -r}).
 *
 * @param label the volume label, or null for none ("NO NAME" in the boot sector)
 * @param volumeId the 32-bit volume serial number
 * @param sectorsPerCluster a power of two 1..128, or 0 for the size-based default
 * @param fatCount 1 or 2 copies of the allocation table
 * @param rootEntries root-directory entries of FAT12/16 (rounded up to fill its sectors)
 */
public record FormatOptions(String label, int volumeId, int sectorsPerCluster, int fatCount,
    int rootEntries) {

  public FormatOptions {
    if (label != null) {
      label = label.toUpperCase(java.util.Locale.ROOT);
      if (label.isEmpty() || label.length() > 11) {
        throw new IllegalArgumentException("a volume label has 1 to 11 characters: '" + label + "'");
      }
      for (char c : label.toCharArray()) {
        if (c < 0x20 || c > 0x7e || "\"*+,./:;<=>?[\\]|".indexOf(c) >= 0) {
          throw new IllegalArgumentException(
              "a volume label holds printable ASCII other than \"*+,./:;<=>?[\\]| : '" + label + "'");
        }
      }
    }
    if (sectorsPerCluster != 0 && (sectorsPerCluster < 1 || sectorsPerCluster > 128
        || Integer.bitCount(sectorsPerCluster) != 1)) {
      throw new IllegalArgumentException(
          "sectors per cluster is a power of two 1..128 (or 0 for the default): " + sectorsPerCluster);
    }
    if (fatCount < 1 || fatCount > 2) {
      throw new IllegalArgumentException("FAT copies are 1 or 2: " + fatCount);
    }
    if (rootEntries < 16 || rootEntries > 4096) {
      throw new IllegalArgumentException("root entries are 16..4096: " + rootEntries);
    }
  }

  /** No label, a volume id from the clock, size-based cluster size, two FATs, 512 root entries. */
  public static FormatOptions defaults() {
    return new FormatOptions(null, (int) System.nanoTime(), 0, 2, 512);
  }

  public FormatOptions withLabel(String newLabel) {
    return new FormatOptions(newLabel, volumeId, sectorsPerCluster, fatCount, rootEntries);
  }

  public FormatOptions withVolumeId(int id) {
    return new FormatOptions(label, id, sectorsPerCluster, fatCount, rootEntries);
  }

  public FormatOptions withSectorsPerCluster(int spc) {
    return new FormatOptions(label, volumeId, spc, fatCount, rootEntries);
  }

  public FormatOptions withFatCount(int count) {
    return new FormatOptions(label, volumeId, sectorsPerCluster, count, rootEntries);
  }

  public FormatOptions withRootEntries(int entries) {
    return new FormatOptions(label, volumeId, sectorsPerCluster, fatCount, entries);
  }

  /** The label as the 11 space-padded bytes FAT stores, "NO NAME    " when there is none. */
  public String paddedLabel() {
    return String.format("%-11s", Objects.requireNonNullElse(label, "NO NAME"));
  }
}
