package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.partition.testing.Json;
import io.github.qcow2nio.partition.testing.Listing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Disks made by sfdisk, sgdisk and mkfs.fat (src/test/resources/golden/make-golden.sh), read
 * with no tool installed: the listing is what sfdisk --json printed when they were made, and
 * each partition starts and ends with the marker the script wrote there.
 */
class GoldenImageTest {
  static byte[] golden(String name) throws IOException {
    try (InputStream in = GoldenImageTest.class.getResourceAsStream("/golden/" + name + ".gz")) {
      return new GZIPInputStream(in).readAllBytes();
    }
  }

  static String json(String name) throws IOException {
    try (InputStream in = GoldenImageTest.class.getResourceAsStream(
        "/golden/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mbr-logicals.img", "gpt-sgdisk.img", "gpt-hybrid.img"})
  void listsAsSfdiskDidAndReadsTheMarkers(String name) throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path disk = jimfs.getPath("/" + name);
      Files.write(disk, golden(name));
      List<Listing.Row> expected = Listing.sfdiskJson(json(name));
      try (FileSystem fs = FileSystems.newFileSystem(disk)) {
        assertEquals(expected, Listing.of(fs), name);
        for (Listing.Row row : expected) {
          Path p = fs.getPath("/" + row.number());
          if (row.type().equals("5")) {
            continue; // an extended partition starts with an EBR, not a marker
          }
          try (SeekableByteChannel ch = Files.newByteChannel(p)) {
            assertEquals(name + " partition " + row.number() + " first", marker(ch, 0));
            assertEquals(name + " partition " + row.number() + " last",
                marker(ch, ch.size() - 512));
          }
        }
      }
    }
  }

  /** sgdisk -h wrote a hybrid MBR (a FAT entry beside 0xEE): the GPT is the table. */
  @Test
  void hybridMbrReadsAsGpt() throws IOException {
    byte[] disk = golden("gpt-hybrid.img");
    assertEquals(0x07, disk[446 + 4]);
    assertEquals((byte) 0xEE, disk[446 + 16 + 4]);
    PartitionTable t = PartitionTables.read(new io.github.qcow2nio.partition.testing
        .MemoryChannel(disk), 0).orElseThrow();
    assertEquals(PartitionTable.Scheme.GPT, t.scheme());
    @SuppressWarnings("unchecked")
    Map<String, Object> table = (Map<String, Object>) ((Map<String, Object>) Json.parse(
        json("gpt-hybrid.img"))).get("partitiontable");
    assertEquals(table.get("id"), t.diskId());
    assertEquals(table.get("firstlba"), t.firstUsableLba());
    assertEquals(table.get("lastlba"), t.lastUsableLba());
  }

  /** mkfs.fat --mbr=y on a whole disk: a boot sector with a fake entry, not a table. */
  @Test
  void wholeDiskFatIsLeftToOtherProviders() throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path disk = jimfs.getPath("/fat-whole.img");
      byte[] bytes = golden("fat-whole.img");
      Files.write(disk, bytes);
      assertTrue(bytes[446 + 4] != 0, "mkfs.fat --mbr=y wrote an entry");
      assertThrows(UnsupportedOperationException.class,
          () -> new PartitionFileSystemProvider().newFileSystem(disk, Map.of()));
      assertThrows(java.nio.file.ProviderNotFoundException.class,
          () -> FileSystems.newFileSystem(disk));
      try (SeekableByteChannel ch = Files.newByteChannel(disk)) {
        assertFalse(PartitionTables.read(ch, 0).isPresent());
      }
    }
  }

  private static String marker(SeekableByteChannel ch, long at) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64);
    ch.position(at);
    ch.read(b);
    String s = new String(b.array(), StandardCharsets.UTF_8);
    int nul = s.indexOf('\0');
    return nul < 0 ? s : s.substring(0, nul);
  }
}
