package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.PartitionSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Writes a new GPT as sgdisk lays one out: a protective MBR, 128 entries of 128 bytes after the
 * primary header, the backup entries and header in the last sectors, partitions on 1 MiB
 * boundaries, random GUIDs.
 */
public final class GptWriter {
  static final int ENTRY_COUNT = 128;

  private GptWriter() {}

  public static void create(DiskAccess disk, long diskSize, int ss, List<PartitionSpec> specs)
      throws IOException {
    if (!TableReader.validSectorSize(ss)) {
      throw new IllegalArgumentException("sector size must be a power of two from 512 to 4096: "
          + ss);
    }
    if (specs.size() > ENTRY_COUNT) {
      throw new IllegalArgumentException("at most " + ENTRY_COUNT + " GPT partitions, not "
          + specs.size());
    }
    int arrayBytes = ENTRY_COUNT * GptEntry.SIZE;
    long arraySectors = arrayBytes / ss;
    long sectors = diskSize / ss;
    long firstUsable = 2 + arraySectors;
    long lastUsable = sectors - 2 - arraySectors;
    if (lastUsable < firstUsable) {
      throw new IllegalArgumentException("a disk of " + diskSize + " bytes is too small for a GPT");
    }
    List<Layout.Extent> extents = Layout.placeAll(specs, firstUsable, lastUsable, ss, true);
    ByteBuffer array = ByteBuffer.allocate(arrayBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < specs.size(); i++) {
      PartitionSpec s = specs.get(i);
      Layout.Extent e = extents.get(i);
      new GptEntry(PartitionTypes.gpt(s.type()), UUID.randomUUID(), e.first(), e.last(),
          s.attributes(), s.name()).write(array, i * GptEntry.SIZE);
    }
    CRC32 crc = new CRC32();
    crc.update(array.duplicate());
    GptHeader primary = new GptHeader(GptHeader.REVISION_1_0, GptHeader.SIZE, 0, true, 1,
        sectors - 1, firstUsable, lastUsable, UUID.randomUUID(), 2, ENTRY_COUNT, GptEntry.SIZE,
        crc.getValue(), 0);
    long backupArray = sectors - 1 - arraySectors;
    GptHeader backup = primary.relocated(sectors - 1, 1, backupArray);
    // Backup first: until the primary header lands, the disk is not a GPT to anyone.
    disk.write(array.duplicate(), backupArray * ss);
    disk.write(backup.serialize(ss), (sectors - 1) * ss);
    disk.write(array.duplicate(), 2L * ss);
    disk.write(primary.serialize(ss), ss);
    disk.write(sector0(protectiveMbr(sectors), ss), 0);
    disk.force(true);
  }

  /** The MBR sgdisk writes: one 0xEE entry from LBA 1 over the whole disk (capped at 2^32-1). */
  private static ByteBuffer protectiveMbr(long sectors) {
    MbrEntry pmbr = new MbrEntry(0, MbrEntry.PROTECTIVE, 1, Math.min(sectors - 1, 0xFFFFFFFFL));
    MbrEntry none = new MbrEntry(0, 0, 0, 0);
    ByteBuffer b = new MasterBootRecord(0, List.of(pmbr, none, none, none), true).serialize();
    if (!Chs.reaches(pmbr.lastLba())) {
      // sgdisk ends a protective entry past CHS reach with 0xFFFFFF, where sfdisk's MBR
      // entries have 0xFEFFFF (cylinder 1023, head 254, sector 63).
      b.put(MasterBootRecord.ENTRIES + 5, (byte) 0xFF);
    }
    return b;
  }

  static ByteBuffer sector0(ByteBuffer mbr, int ss) {
    ByteBuffer b = ByteBuffer.allocate(ss);
    b.put(mbr.duplicate().clear());
    return b.clear();
  }
}
