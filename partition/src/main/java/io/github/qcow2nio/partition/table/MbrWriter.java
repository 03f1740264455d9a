package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.PartitionSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a new MBR as sfdisk lays one out: partitions on 1 MiB boundaries, "the rest" to the end
 * of the disk. More than four partitions make the fourth slot an extended partition to the end
 * of the disk holding the rest as logical partitions, each EBR 1 MiB before its partition.
 */
public final class MbrWriter {
  private static final int EXTENDED_LBA = 0x0F;
  private static final int EBR_LINK = 0x05;

  private MbrWriter() {}

  public static void create(DiskAccess disk, long diskSize, int ss, List<PartitionSpec> specs)
      throws IOException {
    if (!TableReader.validSectorSize(ss)) {
      throw new IllegalArgumentException("sector size must be a power of two from 512 to 4096: "
          + ss);
    }
    long sectors = Math.min(diskSize / ss, 0x1_0000_0000L);
    if (specs.isEmpty() || sectors < 2) {
      throw new IllegalArgumentException("an MBR needs at least one partition and a disk of two "
          + "sectors or more");
    }
    long last = sectors - 1;
    int primaries = specs.size() <= 4 ? specs.size() : 3;
    for (int i = 0; i < specs.size() - 1; i++) {
      if (specs.get(i).size() == PartitionSpec.REST) {
        throw new IllegalArgumentException(
            "only the last partition can take the rest of the disk");
      }
    }
    List<Layout.Extent> placed =
        Layout.placeAll(specs.subList(0, primaries), 1, last, ss, false);
    List<MbrEntry> entries = new ArrayList<>();
    for (int i = 0; i < primaries; i++) {
      entries.add(entry(specs.get(i), placed.get(i).first(), placed.get(i)));
    }
    List<long[]> ebrs = new ArrayList<>(); // {ebr LBA, logical first, logical last}
    if (specs.size() > 4) {
      long next = primaries == 0 ? 1 : placed.get(primaries - 1).last() + 1;
      for (int i = 3; i < specs.size(); i++) {
        long ebr = Layout.alignUp(next, ss);
        Layout.Extent e = Layout.place(specs.get(i), ebr + 1, last, ss, false);
        ebrs.add(new long[] {ebr, e.first(), e.last()});
        next = e.last() + 1;
      }
      long extFirst = ebrs.get(0)[0];
      entries.add(new MbrEntry(0, EXTENDED_LBA, extFirst, last - extFirst + 1));
    }
    while (entries.size() < 4) {
      entries.add(new MbrEntry(0, 0, 0, 0));
    }
    int signature = new SecureRandom().nextInt() | 1; // never 0: 0 reads as "no signature"
    for (int k = ebrs.size() - 1; k >= 0; k--) {
      long[] r = ebrs.get(k);
      long extFirst = ebrs.get(0)[0];
      PartitionSpec s = specs.get(3 + k);
      MbrEntry data = entry(s, r[1] - r[0], new Layout.Extent(r[1], r[2]));
      MbrEntry link = new MbrEntry(0, 0, 0, 0);
      if (k + 1 < ebrs.size()) {
        long[] n = ebrs.get(k + 1);
        link = new MbrEntry(0, EBR_LINK, n[0] - extFirst, n[2] - n[0] + 1);
      }
      MbrEntry none = new MbrEntry(0, 0, 0, 0);
      ByteBuffer ebr = new MasterBootRecord(0, List.of(data, link, none, none), true)
          .serialize(r[0], extFirst);
      disk.write(GptWriter.sector0(ebr, ss), r[0] * ss);
    }
    disk.write(GptWriter.sector0(
        new MasterBootRecord(signature & 0xFFFFFFFFL, entries, true).serialize(), ss), 0);
    disk.force(true);
  }

  private static MbrEntry entry(PartitionSpec s, long firstLba, Layout.Extent e) {
    if (s.attributes() != 0 && s.attributes() != 0x80) {
      throw new IllegalArgumentException("an MBR partition's only attribute is 0x80 (bootable), "
          + "not 0x" + Long.toHexString(s.attributes()));
    }
    return new MbrEntry((int) s.attributes(), PartitionTypes.mbr(s.type()), firstLba,
        e.last() - e.first() + 1);
  }
}
