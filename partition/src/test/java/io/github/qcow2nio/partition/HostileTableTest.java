package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.partition.testing.Disks;
import io.github.qcow2nio.partition.testing.MemoryChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Damaged and hostile tables: each gets a {@link PartitionTableException} naming the structure,
 * or, where the damage is survivable (one GPT header), a table that says which header it used.
 */
class HostileTableTest {
  static final int MIB = 1 << 20;
  static final List<PartitionSpec> SPECS = List.of(PartitionSpec.of(MIB, "linux").withName("a"),
      PartitionSpec.of(2 * MIB, "efi").withName("b"), PartitionSpec.rest("swap"));

  static byte[] gpt(int size, int ss) throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[size]);
    PartitionTables.createGpt(ch, size, ss, SPECS);
    return ch.bytes();
  }

  static byte[] mbrWithLogicals(int size) throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[size]);
    PartitionTables.createMbr(ch, size, 512, List.of(PartitionSpec.of(MIB, "83"),
        PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB, "82"),
        PartitionSpec.of(MIB, "83"), PartitionSpec.rest("7")));
    return ch.bytes();
  }

  static PartitionTable read(byte[] disk) throws IOException {
    return PartitionTables.read(new MemoryChannel(disk), 0).orElseThrow();
  }

  static PartitionTableException refused(byte[] disk, String... expectedWords) {
    PartitionTableException e = assertThrows(PartitionTableException.class,
        () -> PartitionTables.read(new MemoryChannel(disk), 0));
    for (String w : expectedWords) {
      assertTrue(e.getMessage().contains(w), e.getMessage() + " should mention " + w);
    }
    return e;
  }

  // ---- GPT: one damaged header is survivable, and reported

  @Test
  void zeroedPrimaryHeaderUsesTheBackupAndSaysSo() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    PartitionTable good = read(disk);
    Arrays.fill(disk, 512, 1024, (byte) 0);
    PartitionTable t = read(disk);
    assertEquals(PartitionTable.Header.BACKUP, t.header());
    assertEquals(1, t.problems().size());
    assertTrue(t.problems().get(0).contains("primary GPT header"), t.problems().toString());
    assertEquals(good.partitions(), t.partitions());
    assertEquals(PartitionTable.Header.PRIMARY, good.header());
    assertEquals(List.of(), good.problems());
  }

  @Test
  void corruptPrimaryEntryArrayUsesTheBackup() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    PartitionTable good = read(disk);
    disk[1024 + 56] ^= 1; // a byte of entry 1's name in the primary array
    PartitionTable t = read(disk);
    assertEquals(PartitionTable.Header.BACKUP, t.header());
    assertTrue(t.problems().get(0).contains("entry array"), t.problems().toString());
    assertEquals(good.partitions(), t.partitions());
  }

  @Test
  void corruptBackupIsReportedWhileThePrimaryIsUsed() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    disk[disk.length - 512 + 30] ^= 1;
    PartitionTable t = read(disk);
    assertEquals(PartitionTable.Header.PRIMARY, t.header());
    assertTrue(t.problems().get(0).contains("backup GPT header"), t.problems().toString());
  }

  @Test
  void primaryPointingAtItselfForItsBackupIsReported() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    Disks.le(disk).putLong(512 + 32, 1);
    Disks.fixGptHeaderCrc(disk, 512, 1);
    PartitionTable t = read(disk);
    assertEquals(PartitionTable.Header.PRIMARY, t.header());
    assertEquals(1, t.problems().size());
    assertTrue(t.problems().get(0).contains("AlternateLBA 1"), t.problems().toString());
  }

  @Test
  void badCrcsWithNoValidBackupAreRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    disk[512 + 16] ^= 1;
    disk[disk.length - 512 + 16] ^= 1;
    refused(disk, "primary", "backup", "CRC32");
  }

  @Test
  void hugeEntryCountIsRefusedWithoutReadingIt() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    for (long lba : new long[] {1, disk.length / 512 - 1}) {
      Disks.le(disk).putInt((int) (lba * 512) + 80, 0x7FFFFFFF);
      Disks.fixGptHeaderCrc(disk, 512, lba);
    }
    refused(disk, "entries");
  }

  @Test
  void entrySizeNotAMultipleOf128IsRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    for (long lba : new long[] {1, disk.length / 512 - 1}) {
      Disks.le(disk).putInt((int) (lba * 512) + 84, 200);
      Disks.fixGptHeaderCrc(disk, 512, lba);
    }
    refused(disk, "entry size");
  }

  @Test
  void entryArrayPastTheDiskEndIsRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    for (long lba : new long[] {1, disk.length / 512 - 1}) {
      Disks.le(disk).putLong((int) (lba * 512) + 72, disk.length / 512 - 2);
      Disks.fixGptHeaderCrc(disk, 512, lba);
    }
    refused(disk, "entry array");
  }

  @Test
  void gptEntryPastTheUsableAreaIsRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    Disks.le(disk).putLong(1024 + 40, disk.length / 512 + 100); // entry 1's last LBA
    Disks.fixGptCrcs(disk, 512, 1);
    refused(disk, "GPT entry 1", "usable");
  }

  @Test
  void overlappingGptEntriesAreRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    ByteBuffer b = Disks.le(disk);
    b.putLong(1024 + 128 + 32, b.getLong(1024 + 40)); // entry 2 starts on entry 1's last LBA
    Disks.fixGptCrcs(disk, 512, 1);
    refused(disk, "overlap");
  }

  @Test
  void protectiveMbrWithoutAnyGptHeaderIsRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    Arrays.fill(disk, 512, 1024, (byte) 0);
    Arrays.fill(disk, disk.length - 512, disk.length, (byte) 0);
    refused(disk, "protective MBR", "EFI PART");
  }

  @Test
  void headerClaimingAnotherLbaIsRefused() throws IOException {
    byte[] disk = gpt(8 * MIB, 512);
    Disks.le(disk).putLong(512 + 24, 7);
    Disks.fixGptHeaderCrc(disk, 512, 1);
    Arrays.fill(disk, disk.length - 512, disk.length, (byte) 0);
    refused(disk, "MyLBA");
  }

  // ---- MBR and EBR chains

  @Test
  void ebrChainLoopIsRefused() throws IOException {
    byte[] disk = mbrWithLogicals(16 * MIB);
    PartitionTable t = read(disk);
    Partition ext = t.partition(4).orElseThrow();
    Partition last = t.partitions().get(t.partitions().size() - 1);
    // Each EBR sits 1 MiB before its logical partition; point the last one's link back at the
    // EBR of logical 6, which comes earlier in the chain.
    int lastEbr = (int) (last.start() - MIB);
    long target = t.partition(6).orElseThrow().start() - MIB;
    ByteBuffer b = Disks.le(disk);
    b.put(lastEbr + 446 + 16 + 4, (byte) 0x05);
    b.putInt(lastEbr + 446 + 16 + 8, (int) ((target - ext.start()) / 512));
    b.putInt(lastEbr + 446 + 16 + 12, 4096);
    refused(disk, "EBR", "read before");
  }

  @Test
  void ebrPointingAtItselfIsRefused() throws IOException {
    byte[] disk = mbrWithLogicals(16 * MIB);
    Partition ext = read(disk).partition(4).orElseThrow();
    int first = (int) ext.start();
    ByteBuffer b = Disks.le(disk);
    // A link with relative start 0 ends a chain; point the first EBR's link at the second, and
    // the second's at the second.
    int second = first + 2 * MIB; // logical 5 is 1 MiB long and its EBR 1 MiB before it
    assertEquals(0x05, b.get(first + 446 + 16 + 4) & 0xFF);
    b.putInt(second + 446 + 16 + 8, (second - first) / 512);
    b.put(second + 446 + 16 + 4, (byte) 0x05);
    b.putInt(second + 446 + 16 + 12, 2048);
    refused(disk, "read before");
  }

  @Test
  void absurdlyLongEbrChainIsRefused() throws IOException {
    int ebrs = 1100;
    byte[] disk = new byte[(ebrs * 2 + 16) * 512];
    ByteBuffer b = Disks.le(disk);
    putEntry(b, 0, 0, 0x0F, 4, ebrs * 2 + 4);
    for (int k = 0; k < ebrs; k++) {
      int ebr = (4 + 2 * k) * 512;
      putEntry(b, ebr, 0, 0x83, 1, 1);
      putEntry(b, ebr + 16, 0, 0x05, 2 * (k + 1), 2);
      b.putShort(ebr + 510, (short) 0xAA55);
    }
    b.putShort(510, (short) 0xAA55);
    refused(disk, "at most 1024");
  }

  @Test
  void mbrEntryPastTheDiskEndIsRefused() throws IOException {
    byte[] disk = new byte[4 * MIB];
    ByteBuffer b = Disks.le(disk);
    putEntry(b, 0, 0x80, 0x83, 2048, 2048);
    putEntry(b, 16, 0, 0x83, 4096, 100_000);
    b.putShort(510, (short) 0xAA55);
    refused(disk, "MBR entry 2", "the disk ends");
  }

  @Test
  void overlappingMbrEntriesAreRefused() throws IOException {
    byte[] disk = new byte[4 * MIB];
    ByteBuffer b = Disks.le(disk);
    putEntry(b, 0, 0, 0x83, 2048, 2048);
    putEntry(b, 16, 0, 0x83, 3000, 1000);
    b.putShort(510, (short) 0xAA55);
    refused(disk, "overlap");
  }

  @Test
  void ebrWithoutSignatureIsRefused() throws IOException {
    byte[] disk = mbrWithLogicals(16 * MIB);
    Partition ext = read(disk).partition(4).orElseThrow();
    disk[(int) ext.start() + 510] = 0;
    refused(disk, "EBR 1", "0x55AA");
  }

  // ---- not a table at all

  @Test
  void bytesThatAreNoTableAreNotATable() throws IOException {
    assertFalse(PartitionTables.read(new MemoryChannel(new byte[0]), 0).isPresent());
    assertFalse(PartitionTables.read(new MemoryChannel(new byte[4 * MIB]), 0).isPresent());
    byte[] signatureOnly = new byte[4 * MIB];
    Disks.le(signatureOnly).putShort(510, (short) 0xAA55);
    assertFalse(PartitionTables.read(new MemoryChannel(signatureOnly), 0).isPresent());
    byte[] bootCode = new byte[4 * MIB];
    for (int i = 0; i < 510; i++) {
      bootCode[i] = (byte) (i * 7 + 1); // boot indicators that are neither 0x00 nor 0x80
    }
    Disks.le(bootCode).putShort(510, (short) 0xAA55);
    assertFalse(PartitionTables.read(new MemoryChannel(bootCode), 0).isPresent());
  }

  /** A FAT boot sector whose entry area looks like entries, but insane ones: a volume. */
  @Test
  void volumeBootRecordWithInsaneEntriesIsNotATable() throws IOException {
    byte[] disk = new byte[4 * MIB];
    ByteBuffer b = Disks.le(disk);
    b.put(0, (byte) 0xEB).put(1, (byte) 0x3C).put(2, (byte) 0x90);
    b.putShort(11, (short) 512).put(13, (byte) 4).putShort(14, (short) 4).put(16, (byte) 2);
    putEntry(b, 0, 0x80, 0x06, 0, 8192); // mkfs.fat --mbr=y: one entry from LBA 0
    b.putShort(510, (short) 0xAA55);
    assertFalse(PartitionTables.read(new MemoryChannel(disk), 0).isPresent());
    // The same entry without the BPB is a broken table, and said so.
    b.put(0, (byte) 0);
    refused(disk, "MBR entry 1");
  }

  static void putEntry(ByteBuffer b, int at, int boot, int type, long first, long count) {
    int e = 446 + at;
    if (at >= 512) {
      e = at - (at % 512) + 446 + (at % 512);
    }
    b.put(e, (byte) boot);
    b.put(e + 4, (byte) type);
    b.putInt(e + 8, (int) first);
    b.putInt(e + 12, (int) count);
  }
}
