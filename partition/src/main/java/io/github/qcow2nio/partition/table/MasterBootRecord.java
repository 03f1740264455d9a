package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The first 512 bytes of an MBR disk (or of an EBR): the disk signature at 440, four entries at
 * 446 and the boot signature 0x55 0xAA at 510.
 */
public record MasterBootRecord(long diskSignature, List<MbrEntry> entries, boolean signed) {
  public static final int SIZE = 512;
  static final int DISK_SIGNATURE = 440;
  static final int ENTRIES = 446;
  static final int BOOT_SIGNATURE = 510;

  public MasterBootRecord {
    entries = List.copyOf(entries);
    if (entries.size() != 4) {
      throw new IllegalArgumentException("an MBR has 4 entries, not " + entries.size());
    }
  }

  static MasterBootRecord parse(ByteBuffer sector) {
    ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<MbrEntry> entries = new ArrayList<>(4);
    for (int i = 0; i < 4; i++) {
      entries.add(MbrEntry.parse(b, ENTRIES + i * MbrEntry.SIZE));
    }
    boolean signed = (b.get(BOOT_SIGNATURE) & 0xFF) == 0x55
        && (b.get(BOOT_SIGNATURE + 1) & 0xFF) == 0xAA;
    return new MasterBootRecord(b.getInt(DISK_SIGNATURE) & 0xFFFFFFFFL, entries, signed);
  }

  /**
   * A zeroed boot-code area, the disk signature, the entries and 0x55AA. {@code bases[i]} is the
   * LBA entry i counts from, for its CHS values (none: 0, as in the MBR; an EBR's entries count
   * from the EBR and from the extended partition).
   */
  ByteBuffer serialize(long... bases) {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(DISK_SIGNATURE, (int) diskSignature);
    for (int i = 0; i < 4; i++) {
      entries.get(i).write(b, ENTRIES + i * MbrEntry.SIZE, i < bases.length ? bases[i] : 0);
    }
    b.put(BOOT_SIGNATURE, (byte) 0x55);
    b.put(BOOT_SIGNATURE + 1, (byte) 0xAA);
    return b;
  }

  boolean hasProtectiveEntry() {
    for (MbrEntry e : entries) {
      if (e.type() == MbrEntry.PROTECTIVE) {
        return true;
      }
    }
    return false;
  }
}
