package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.partition.testing.Listing;
import io.github.qcow2nio.partition.testing.Tools;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tables made by sfdisk and sgdisk read as sfdisk --json lists them, on raw files and through
 * qcow2 images made from them by qemu-img, and every partition reads as the raw file's bytes.
 */
class ToolInteropTest {
  @TempDir
  Path dir;

  interface Maker {
    Path make(Path dir) throws IOException;
  }

  static Stream<Arguments> disks() {
    return Stream.of(
        Arguments.of("sfdisk MBR with logicals", (Maker) d -> ToolDisks.sfdiskMbr(d, 24 << 20),
            "sfdisk"),
        Arguments.of("sfdisk GPT", (Maker) d -> ToolDisks.sfdiskGpt(d, 16 << 20), "sfdisk"),
        Arguments.of("sgdisk GPT, 30 partitions", (Maker) d -> ToolDisks.sgdiskMany(d, 40 << 20,
            30), "sgdisk"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("disks")
  void rawDiskListsAsSfdiskDoes(String label, Maker maker, String tool)
      throws IOException {
    Tools.assume("sfdisk", tool);
    Path raw = maker.make(dir);
    List<Listing.Row> expected = Listing.sfdisk(raw);
    assertTrue(expected.size() >= 4, label + ": sfdisk lists " + expected);
    if (label.contains("logicals")) {
      assertTrue(expected.stream().anyMatch(r -> r.number() == 7), label + ": " + expected);
    }
    try (FileSystem fs = FileSystems.newFileSystem(raw)) {
      assertEquals(PartitionFileSystemProvider.class, fs.provider().getClass());
      assertEquals(expected, Listing.of(fs), label);
      assertEquals(Listing.sfdiskId(raw), ((PartitionFileSystem) fs).table().diskId());
      assertBytesLikeRaw(fs, raw, label);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("disks")
  void qcow2DiskListsAsSfdiskDoes(String label, Maker maker, String tool)
      throws IOException {
    Tools.assume("sfdisk", "qemu-img", tool);
    Path raw = maker.make(dir);
    List<Listing.Row> expected = Listing.sfdisk(raw);
    for (boolean compressed : new boolean[] {false, true}) {
      Path image = dir.resolve(compressed ? "c.qcow2" : "plain.qcow2");
      if (compressed) {
        Tools.ok("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", raw.toString(),
            image.toString());
      } else {
        Tools.ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
            image.toString());
      }
      String what = label + (compressed ? ", qcow2 -c" : ", qcow2");
      try (FileSystem qcow2 = FileSystems.newFileSystem(image, Map.of("accessMode", "readOnly"));
          FileSystem fs = FileSystems.newFileSystem(qcow2.getPath("/disk"))) {
        assertEquals(PartitionFileSystemProvider.class, fs.provider().getClass(), what);
        assertTrue(fs.isReadOnly(), what + ": a read-only qcow2 disk gives read-only partitions");
        assertEquals(expected, Listing.of(fs), what);
        assertBytesLikeRaw(fs, raw, what);
      }
    }
  }

  /**
   * A whole-disk FAT volume ends in 0x55AA too; it is not a partition table, not even with the
   * fake MBR entry mkfs.fat --mbr=y puts in its boot sector (one partition from LBA 0).
   */
  @ParameterizedTest(name = "mkfs.fat {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"--mbr=n", "--mbr=y", "-F32"})
  void wholeDiskFatIsNotAPartitionTable(String option) throws IOException {
    Tools.assume("mkfs.fat");
    Path disk = ToolDisks.sparse(dir.resolve("fat.img"), 40 << 20);
    Tools.ok("mkfs.fat", "-I", option, disk.toString());
    PartitionFileSystemProvider provider = new PartitionFileSystemProvider();
    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
        () -> provider.newFileSystem(disk, Map.of()));
    assertFalse(PartitionTables.read(Files.newByteChannel(disk), 0).isPresent());
  }

  /** A FAT volume inside partition 1: the disk is a table, /1 is not. */
  @Test
  void fatInsideAPartitionIsFoundOnlyAtTheDiskLevel() throws IOException {
    Tools.assume("sfdisk", "mkfs.fat");
    Path disk = ToolDisks.sparse(dir.resolve("disk.img"), 16 << 20);
    Tools.okWithInput("label: dos\nsize=8MiB, type=c\n", "sfdisk", "-q", disk.toString());
    Tools.ok("mkfs.fat", "--offset", "2048", disk.toString(), "4096");
    try (FileSystem fs = FileSystems.newFileSystem(disk)) {
      assertEquals("partition", fs.provider().getScheme());
      Path p1 = fs.getPath("/1");
      assertFalse(PartitionTables.read(Files.newByteChannel(p1), 0).isPresent());
      org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
          () -> new PartitionFileSystemProvider().newFileSystem(p1, Map.of()));
    }
  }

  static void assertBytesLikeRaw(FileSystem fs, Path raw, String label) throws IOException {
    try (Stream<Path> s = Files.list(fs.getPath("/"))) {
      for (Path p : s.toList()) {
        Map<String, Object> a = Files.readAttributes(p, "partition:start,size");
        long start = (Long) a.get("start");
        long size = (Long) a.get("size");
        assertEquals(size, Files.size(p), label + " " + p);
        assertArrayEquals(ToolDisks.slice(raw, start, size), ToolDisks.readAll(p),
            label + ": bytes of " + p);
      }
    }
  }
}
