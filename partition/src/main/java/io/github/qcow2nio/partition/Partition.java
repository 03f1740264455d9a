package io.github.qcow2nio.partition;

import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * One partition as its table describes it. Numbers follow Linux: MBR primaries are 1-4 by slot,
 * logical partitions 5 on in chain order; GPT entries are their array index + 1.
 *
 * @param number the file name in the partition file system ({@code /number})
 * @param kind which table entry this is
 * @param firstLba first sector, in logical sectors of the table
 * @param lastLba last sector (inclusive)
 * @param sectorSize bytes per logical sector
 * @param typeGuid the GPT partition type; null for MBR
 * @param mbrType the MBR type byte (0-255); -1 for GPT
 * @param uniqueGuid the GPT unique partition GUID; null for MBR
 * @param name the GPT name; "" for MBR
 * @param attributes the GPT attribute bits; for MBR bit 7 is the boot indicator (0x80)
 */
public record Partition(int number, Kind kind, long firstLba, long lastLba, int sectorSize,
    UUID typeGuid, int mbrType, UUID uniqueGuid, String name, long attributes) {

  /** Where the entry lives. */
  public enum Kind {
    GPT, PRIMARY, EXTENDED, LOGICAL
  }

  public Partition {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /** The first byte of the partition on the disk. */
  public long start() {
    return firstLba * sectorSize;
  }

  /** The partition's length in bytes. */
  public long size() {
    return (lastLba - firstLba + 1) * sectorSize;
  }

  /** The type as sfdisk prints it: the GPT type GUID in upper case, or the MBR byte in hex. */
  public String type() {
    return typeGuid != null ? typeGuid.toString().toUpperCase(Locale.ROOT)
        : Integer.toHexString(mbrType);
  }

  /** The MBR boot indicator (0x80); false for GPT (see {@link #attributes()} bit 2 there). */
  public boolean bootable() {
    return kind != Kind.GPT && (attributes & 0x80) != 0;
  }
}
