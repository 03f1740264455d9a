package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.Partition;
import io.github.qcow2nio.partition.PartitionTable;
import io.github.qcow2nio.partition.PartitionTableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Reads a GPT: the primary header at LBA 1 and its entry array, or, when either is damaged, the
 * backup header at the last LBA and its array. Which one was used, and what was wrong with the
 * other, is part of the result.
 */
final class GptReader {
  /** An entry array larger than this is refused: 8192 entries of 128 bytes, far past any tool. */
  static final int MAX_ARRAY_BYTES = 1 << 20;
  static final int MAX_ENTRY_SIZE = 4096;

  private GptReader() {}

  /** A header that passed every check, with its entry array. */
  private record Loaded(GptHeader header, ByteBuffer array) {}

  static PartitionTable read(DiskAccess disk, int[] sectorSizes) throws IOException {
    for (int ss : sectorSizes) {
      long sectors = disk.size() / ss;
      if (sectors < 3) {
        continue;
      }
      if (GptHeader.signed(disk.readFully(ss, ss))
          || GptHeader.signed(disk.readFully((sectors - 1) * ss, ss))) {
        return read(disk, ss, sectors);
      }
    }
    throw new PartitionTableException("protective MBR", MasterBootRecord.ENTRIES,
        "a GPT header ('EFI PART') at LBA 1 or the last LBA, with sectors of "
            + java.util.Arrays.toString(sectorSizes) + " bytes");
  }

  private static PartitionTable read(DiskAccess disk, int ss, long sectors) throws IOException {
    Loaded primary = null;
    PartitionTableException primaryProblem = null;
    try {
      primary = load(disk, ss, 1, sectors, "primary GPT header");
    } catch (PartitionTableException e) {
      primaryProblem = e;
    }
    long backupLba = sectors - 1;
    List<String> problems = new ArrayList<>();
    if (primary != null) {
      long alternate = primary.header().alternateLba();
      if (alternate > 1 && alternate < sectors) {
        backupLba = alternate; // not the last LBA when the disk grew after the table was made
      } else {
        problems.add("primary GPT header at byte " + (ss + 32L) + ": AlternateLBA " + alternate
            + " is not a sector of the disk after LBA 1; the last LBA was read instead");
      }
    }
    Loaded backup = null;
    PartitionTableException backupProblem = null;
    try {
      backup = load(disk, ss, backupLba, sectors, "backup GPT header");
    } catch (PartitionTableException e) {
      backupProblem = e;
    }
    Loaded used;
    PartitionTable.Header which;
    if (primary != null) {
      used = primary;
      which = PartitionTable.Header.PRIMARY;
      if (backupProblem != null) {
        problems.add(backupProblem.getMessage());
      }
    } else if (backup != null) {
      used = backup;
      which = PartitionTable.Header.BACKUP;
      problems.add(primaryProblem.getMessage() + "; the backup header was used");
    } else {
      PartitionTableException e = new PartitionTableException("GPT", ss,
          "a valid primary or backup header; primary: " + primaryProblem.getMessage()
              + "; backup: " + backupProblem.getMessage());
      e.addSuppressed(primaryProblem);
      e.addSuppressed(backupProblem);
      throw e;
    }
    GptHeader h = used.header();
    return new PartitionTable(PartitionTable.Scheme.GPT, ss, disk.size(),
        h.diskGuid().toString().toUpperCase(Locale.ROOT), which, h.firstUsableLba(),
        h.lastUsableLba(), problems, partitions(used, ss));
  }

  private static Loaded load(DiskAccess disk, int ss, long lba, long sectors, String what)
      throws IOException {
    long off = lba * ss;
    if (lba < 1 || lba >= sectors) {
      throw new PartitionTableException(what, Math.max(0, off),
          "an LBA inside the disk's " + sectors + " sectors, not " + lba);
    }
    ByteBuffer sector = disk.readFully(off, ss);
    if (!GptHeader.signed(sector)) {
      throw new PartitionTableException(what, off, "signature 'EFI PART'");
    }
    GptHeader h = GptHeader.parse(sector);
    if ((h.revision() >>> 16) != 1) {
      throw new PartitionTableException(what, off + 8,
          String.format("revision 1.x, found 0x%08x", h.revision()));
    }
    if (h.headerSize() < GptHeader.SIZE || h.headerSize() > ss) {
      throw new PartitionTableException(what, off + 12,
          "a header size from 92 to " + ss + ", found " + Integer.toUnsignedString(h.headerSize()));
    }
    if (!h.crcValid()) {
      throw new PartitionTableException(what, off + 16,
          String.format("a header CRC32 matching its bytes; 0x%08x does not", h.headerCrc()));
    }
    if (h.myLba() != lba) {
      throw new PartitionTableException(what, off + 24,
          "MyLBA " + lba + " (where it was read), found " + h.myLba());
    }
    if (h.entrySize() < GptEntry.SIZE || h.entrySize() % GptEntry.SIZE != 0
        || h.entrySize() > MAX_ENTRY_SIZE) {
      throw new PartitionTableException(what, off + 84, "an entry size that is a multiple of 128 "
          + "up to " + MAX_ENTRY_SIZE + ", found " + h.entrySize());
    }
    if (h.entryCount() < 1 || h.entryCount() * h.entrySize() > MAX_ARRAY_BYTES) {
      throw new PartitionTableException(what, off + 80, "1 to " + MAX_ARRAY_BYTES / h.entrySize()
          + " entries (an array of at most 1 MiB), found " + h.entryCount());
    }
    if (h.firstUsableLba() < 2 || h.lastUsableLba() < h.firstUsableLba()
        || h.lastUsableLba() >= sectors) {
      throw new PartitionTableException(what, off + 40, "usable LBAs inside the disk's "
          + sectors + " sectors, found " + h.firstUsableLba() + " to " + h.lastUsableLba());
    }
    int arrayBytes = (int) (h.entryCount() * h.entrySize());
    long arraySectors = (arrayBytes + ss - 1) / ss;
    long a = h.entriesLba();
    boolean inDisk = a >= 2 && a < sectors && a + arraySectors <= sectors;
    boolean clearOfUsable = inDisk
        && (a + arraySectors <= h.firstUsableLba() || a > h.lastUsableLba());
    boolean clearOfHeader = lba < a || lba >= a + arraySectors;
    if (!inDisk || !clearOfUsable || !clearOfHeader) {
      throw new PartitionTableException(what, off + 72, "an entry array of " + arraySectors
          + " sectors inside the disk and outside the usable LBAs and the header, found LBA " + a);
    }
    ByteBuffer array = disk.readFully(a * ss, arrayBytes);
    CRC32 crc = new CRC32();
    crc.update(array.duplicate());
    if (crc.getValue() != h.entriesCrc()) {
      throw new PartitionTableException(what + "'s entry array", a * ss, String.format(
          "CRC32 0x%08x as the header says, computed 0x%08x", h.entriesCrc(), crc.getValue()));
    }
    return new Loaded(h, array);
  }

  private static List<Partition> partitions(Loaded used, int ss) throws PartitionTableException {
    GptHeader h = used.header();
    List<Partition> out = new ArrayList<>();
    long arrayOff = h.entriesLba() * ss;
    for (int i = 0; i < h.entryCount(); i++) {
      int at = (int) (i * h.entrySize());
      GptEntry e = GptEntry.parse(used.array(), at);
      if (e.isEmpty()) {
        continue;
      }
      if (e.firstLba() < h.firstUsableLba() || e.lastLba() < e.firstLba()
          || e.lastLba() > h.lastUsableLba()) {
        throw new PartitionTableException("GPT entry " + (i + 1), arrayOff + at,
            "LBA " + e.firstLba() + " to " + e.lastLba() + " inside the usable LBAs "
                + h.firstUsableLba() + " to " + h.lastUsableLba());
      }
      out.add(new Partition(i + 1, Partition.Kind.GPT, e.firstLba(), e.lastLba(), ss,
          e.typeGuid(), -1, e.uniqueGuid(), e.name(), e.attributes()));
    }
    MbrReader.checkNoOverlap("GPT entry array", arrayOff, out);
    return out;
  }
}
