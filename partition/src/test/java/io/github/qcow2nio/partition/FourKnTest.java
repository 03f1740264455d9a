package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.partition.testing.Disks;
import io.github.qcow2nio.partition.testing.MemoryChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GPT on 4096-byte logical sectors. sfdisk and sgdisk cannot make one on an image file (they
 * take the file's 512-byte sectors), so our writer makes it and the layout and CRCs are checked
 * here from the raw bytes, by offsets from the UEFI specification.
 */
class FourKnTest {
  static final int MIB = 1 << 20;
  static final int SS = 4096;

  static byte[] disk() throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[0]);
    PartitionTables.createGpt(ch, 16 * MIB, SS, List.of(
        PartitionSpec.of(MIB, "efi").withName("EFI"), PartitionSpec.rest("linux")));
    return ch.bytes();
  }

  @Test
  void layoutAndCrcsAreRightByHand() throws IOException {
    byte[] d = disk();
    assertEquals(16 * MIB, d.length);
    long sectors = d.length / SS;
    ByteBuffer b = Disks.le(d);
    // Protective MBR in the first 512 bytes of LBA 0, counting 4096-byte sectors.
    assertEquals((byte) 0xEE, d[446 + 4]);
    assertEquals(1, b.getInt(446 + 8));
    assertEquals(sectors - 1, b.getInt(446 + 12));
    assertEquals((short) 0xAA55, b.getShort(510));
    // Primary header at LBA 1 (byte 4096), backup at the last LBA.
    assertEquals("EFI PART", new String(d, SS, 8, StandardCharsets.US_ASCII));
    assertEquals(1, b.getLong(SS + 24));
    assertEquals(sectors - 1, b.getLong(SS + 32));
    assertEquals(2, b.getLong(SS + 72));
    assertEquals(128, b.getInt(SS + 80));
    assertEquals(128, b.getInt(SS + 84));
    assertEquals(2 + 4, b.getLong(SS + 40), "first usable: after 4 sectors of entries");
    assertEquals(sectors - 2 - 4, b.getLong(SS + 48));
    int backup = (int) ((sectors - 1) * SS);
    assertEquals("EFI PART", new String(d, backup, 8, StandardCharsets.US_ASCII));
    assertEquals(sectors - 1, b.getLong(backup + 24));
    assertEquals(sectors - 1 - 4, b.getLong(backup + 72));
    assertTrue(Disks.gptCrcsValid(d, SS, 1));
    assertTrue(Disks.gptCrcsValid(d, SS, sectors - 1));
    // The first partition on the 1 MiB boundary: LBA 256 of 4096 bytes.
    assertEquals(256, b.getLong(2 * SS + 32));
    assertEquals(256 + 256 - 1, b.getLong(2 * SS + 40));
  }

  @Test
  void detectedAt4096AfterTrying512() throws IOException {
    byte[] d = disk();
    PartitionTable t = PartitionTables.read(new MemoryChannel(d), 0).orElseThrow();
    assertEquals(SS, t.sectorSize());
    assertEquals(MIB, t.partition(1).orElseThrow().start());
    assertEquals(MIB, t.partition(1).orElseThrow().size());
    assertEquals(2 * MIB, t.partition(2).orElseThrow().start());
    // Forced to 512, the protective MBR has no header to go with it.
    assertThrows(PartitionTableException.class,
        () -> PartitionTables.read(new MemoryChannel(d), 512));
    assertEquals(t, PartitionTables.read(new MemoryChannel(d), SS).orElseThrow());
  }

  @Test
  void backupHeaderAt4096() throws IOException {
    byte[] d = disk();
    java.util.Arrays.fill(d, SS, 2 * SS, (byte) 0);
    PartitionTable t = PartitionTables.read(new MemoryChannel(d), 0).orElseThrow();
    assertEquals(SS, t.sectorSize());
    assertEquals(PartitionTable.Header.BACKUP, t.header());
  }

  @Test
  void throughTheProviderWithSectorSizeEnv() throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path disk = Files.write(jimfs.getPath("/4kn.img"), disk());
      try (FileSystem fs = FileSystems.newFileSystem(disk)) {
        assertEquals(SS, Files.getAttribute(fs.getPath("/2"), "partition:sectorSize"));
        assertEquals(256L, Files.getAttribute(fs.getPath("/1"), "partition:firstLba"));
      }
      try (FileSystem fs = FileSystems.newFileSystem(disk, Map.of("sectorSize", "4096"))) {
        assertEquals(SS, Files.getAttribute(fs.getPath("/2"), "partition:sectorSize"));
      }
      assertThrows(PartitionTableException.class,
          () -> FileSystems.newFileSystem(disk, Map.of("sectorSize", 512)));
    }
  }

  /** MBR cannot say its sector size: 4096 must be asked for, and then reads right. */
  @Test
  void mbrOn4096ByteSectorsNeedsTheEnv() throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[0]);
    PartitionTables.createMbr(ch, 64 * MIB, SS,
        List.of(PartitionSpec.of(4 * MIB, "83"), PartitionSpec.rest("83")));
    PartitionTable t = PartitionTables.read(new MemoryChannel(ch.bytes()), SS).orElseThrow();
    assertEquals(MIB, t.partition(1).orElseThrow().start());
    assertEquals(4 * MIB, t.partition(1).orElseThrow().size());
    assertEquals(59L * MIB, t.partition(2).orElseThrow().size());
    assertFalse(t.partitions().isEmpty());
  }
}
