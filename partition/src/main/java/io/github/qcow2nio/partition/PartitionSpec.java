package io.github.qcow2nio.partition;

import java.util.Objects;

/**
 * One partition to create: its size, its type and (GPT only) its name.
 *
 * @param size bytes, a multiple of the sector size; {@link #REST} for the rest of the disk (last
 *     spec only)
 * @param type for GPT a type GUID or an alias ("linux", "efi", "msdata" or "basic data", "swap",
 *     "bios"); for MBR a hex type byte ("83", "0x83", "c") or an alias ("linux", "efi", "swap",
 *     "fat32", "msdata"); not empty (0), protective (0xEE) or extended (the writer makes those)
 * @param name the GPT partition name (at most 36 UTF-16 code units); ignored for MBR
 * @param attributes GPT attribute bits; for MBR only 0x80 (bootable) is allowed
 */
public record PartitionSpec(long size, String type, String name, long attributes) {
  /** A size meaning "to the end of the usable space". */
  public static final long REST = -1;

  public PartitionSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    if (size <= 0 && size != REST) {
      throw new IllegalArgumentException("partition size must be positive or REST: " + size);
    }
  }

  /** A spec of {@code size} bytes and {@code type}, no name, no attributes. */
  public static PartitionSpec of(long size, String type) {
    return new PartitionSpec(size, type, "", 0);
  }

  /** A spec taking the rest of the disk. */
  public static PartitionSpec rest(String type) {
    return new PartitionSpec(REST, type, "", 0);
  }

  /** This spec with a GPT name. */
  public PartitionSpec withName(String newName) {
    return new PartitionSpec(size, type, newName, attributes);
  }

  /** This spec with attribute bits (GPT) or 0x80 for an MBR boot indicator. */
  public PartitionSpec withAttributes(long newAttributes) {
    return new PartitionSpec(size, type, name, newAttributes);
  }
}
