package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.Partition;
import io.github.qcow2nio.partition.PartitionTable;
import io.github.qcow2nio.partition.PartitionTableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an MBR and the EBR chains of its extended partitions. Primaries are numbered 1-4 by
 * slot, logical partitions from 5 in chain order, as Linux numbers them.
 */
final class MbrReader {
  /** More logical partitions than this is taken for a hostile chain. */
  static final int MAX_LOGICAL = 1024;

  private MbrReader() {}

  static Optional<PartitionTable> read(DiskAccess disk, ByteBuffer sector0, MasterBootRecord mbr,
      int sectorSize) throws IOException {
    boolean any = false;
    for (MbrEntry e : mbr.entries()) {
      if (e.bootIndicator() != 0x00 && e.bootIndicator() != 0x80) {
        return Optional.empty(); // boot code or a BPB where entries would be
      }
      any |= !e.isEmpty();
    }
    if (!any) {
      return Optional.empty();
    }
    long sectors = disk.size() / sectorSize;
    List<Partition> primaries;
    try {
      primaries = primaries(mbr, sectors, sectorSize);
    } catch (PartitionTableException e) {
      if (VolumeBootRecords.looksLikeOne(sector0)) {
        return Optional.empty(); // a whole-disk FAT or NTFS volume, not a table
      }
      throw e;
    }
    List<Partition> all = new ArrayList<>(primaries);
    int number = 5;
    for (Partition p : primaries) {
      if (p.kind() == Partition.Kind.EXTENDED) {
        List<Partition> logicals = chain(disk, p, number, sectorSize);
        number += logicals.size();
        all.addAll(logicals);
      }
    }
    return Optional.of(new PartitionTable(PartitionTable.Scheme.MBR, sectorSize, disk.size(),
        String.format("0x%08x", mbr.diskSignature()), PartitionTable.Header.MBR, 1,
        sectors - 1, List.of(), all));
  }

  private static List<Partition> primaries(MasterBootRecord mbr, long sectors, int sectorSize)
      throws PartitionTableException {
    List<Partition> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      MbrEntry e = mbr.entries().get(i);
      if (e.isEmpty()) {
        continue;
      }
      String what = "MBR entry " + (i + 1);
      long off = MasterBootRecord.ENTRIES + (long) i * MbrEntry.SIZE;
      checkExtent(what, off, e.firstLba(), e.sectors(), 1, sectors - 1);
      out.add(new Partition(i + 1, e.isExtended() ? Partition.Kind.EXTENDED
          : Partition.Kind.PRIMARY, e.firstLba(), e.lastLba(), sectorSize, null, e.type(), null,
          "", e.bootIndicator()));
    }
    checkNoOverlap("MBR", MasterBootRecord.ENTRIES, out);
    return out;
  }

  private static List<Partition> chain(DiskAccess disk, Partition extended, int firstNumber,
      int sectorSize) throws IOException {
    List<Partition> out = new ArrayList<>();
    Set<Long> visited = new HashSet<>();
    long ebr = extended.firstLba();
    for (int hop = 1; ; hop++) {
      long off = ebr * sectorSize;
      String what = "EBR " + hop + " of extended partition " + extended.number();
      if (hop > MAX_LOGICAL) {
        throw new PartitionTableException(what, off,
            "at most " + MAX_LOGICAL + " EBRs in a chain");
      }
      if (!visited.add(ebr)) {
        throw new PartitionTableException(what, off,
            "a chain without loops; this EBR was read before");
      }
      if (ebr < extended.firstLba() || ebr > extended.lastLba()) {
        throw new PartitionTableException(what, off, "an EBR inside the extended partition, LBA "
            + extended.firstLba() + " to " + extended.lastLba());
      }
      MasterBootRecord r = MasterBootRecord.parse(disk.readFully(off, MasterBootRecord.SIZE));
      if (!r.signed()) {
        throw new PartitionTableException(what, off + MasterBootRecord.BOOT_SIGNATURE,
            "boot signature 0x55AA");
      }
      MbrEntry data = r.entries().get(0);
      MbrEntry link = r.entries().get(1);
      if (!data.isEmpty()) {
        checkExtent(what + " entry 1", off + MasterBootRecord.ENTRIES, data.firstLba(),
            data.sectors(), 1, extended.lastLba() - ebr);
        long first = ebr + data.firstLba();
        out.add(new Partition(firstNumber + out.size(), Partition.Kind.LOGICAL, first,
            first + data.sectors() - 1, sectorSize, null, data.type(), null, "",
            data.bootIndicator()));
      }
      if (link.isEmpty() || !link.isExtended() || link.firstLba() == 0) {
        break;
      }
      ebr = extended.firstLba() + link.firstLba();
    }
    checkNoOverlap("EBR chain of extended partition " + extended.number(),
        extended.start(), out);
    return out;
  }

  /** The entry's sectors lie in [min, max] (relative to its table's base LBA). */
  private static void checkExtent(String what, long off, long first, long count, long min,
      long max) throws PartitionTableException {
    if (count < 1) {
      throw new PartitionTableException(what, off, "a partition of at least one sector");
    }
    if (first < min || first + count - 1 > max) {
      throw new PartitionTableException(what, off, "sectors " + first + " to "
          + (first + count - 1) + " inside LBA " + min + " to " + max + " (the disk ends there)");
    }
  }

  static void checkNoOverlap(String what, long off, List<Partition> parts)
      throws PartitionTableException {
    List<Partition> sorted = new ArrayList<>(parts);
    sorted.sort(Comparator.comparingLong(Partition::firstLba));
    for (int i = 1; i < sorted.size(); i++) {
      Partition a = sorted.get(i - 1);
      Partition b = sorted.get(i);
      if (b.firstLba() <= a.lastLba()) {
        throw new PartitionTableException(what, off, "partitions that do not overlap; "
            + a.number() + " (LBA " + a.firstLba() + "-" + a.lastLba() + ") overlaps "
            + b.number() + " (LBA " + b.firstLba() + "-" + b.lastLba() + ")");
      }
    }
  }
}
