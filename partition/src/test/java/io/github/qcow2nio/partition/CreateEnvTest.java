package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** create=gpt|mbr in the env: a table on a disk that has none, through the provider. */
class CreateEnvTest {
  static final int MIB = 1 << 20;
  static final List<PartitionSpec> SPECS =
      List.of(PartitionSpec.of(MIB, "efi"), PartitionSpec.rest("linux"));

  @TempDir
  Path dir;

  @Test
  void newFileWithAGpt() throws IOException {
    Path disk = dir.resolve("new.img");
    // By URI: FileSystems.newFileSystem(Path) asks zipfs first, which fails on a missing file.
    try (FileSystem fs = FileSystems.newFileSystem(URI.create("partition:" + disk.toUri()),
        Map.of("create", "gpt", "size", "8M", "partitions", SPECS))) {
      assertEquals(8L * MIB, Files.size(disk));
      assertEquals("gpt", Files.getAttribute(fs.getPath("/2"), "partition:scheme"));
      // From 2 MiB to the last 1 MiB boundary before the backup entries (as sfdisk): 5 MiB.
      assertEquals(5L * MIB, Files.size(fs.getPath("/2")));
    }
  }

  @Test
  void emptyJimfsDiskGetsAnMbrByUri() throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path disk = Files.write(jimfs.getPath("/d.img"), new byte[4 * MIB]);
      URI uri = URI.create("partition:" + disk.toUri());
      try (FileSystem fs = FileSystems.newFileSystem(uri,
          Map.of("create", "mbr", "partitions", SPECS))) {
        assertEquals("mbr", Files.getAttribute(fs.getPath("/1"), "partition:scheme"));
        assertEquals(0xEF, Files.getAttribute(fs.getPath("/1"), "partition:mbrType"));
        assertEquals(2L * MIB, Files.size(fs.getPath("/2")));
      }
    }
  }

  @Test
  void aDiskWithATableIsLeftAlone() throws IOException {
    Path disk = ProviderTest.gptDisk(dir.resolve("has.img"), 8 * MIB);
    byte[] before = Files.readAllBytes(disk);
    try (FileSystem fs = FileSystems.newFileSystem(disk,
        Map.of("create", "mbr", "partitions", SPECS))) {
      assertEquals("gpt", Files.getAttribute(fs.getPath("/1"), "partition:scheme"));
    }
    assertArrayEquals(before, Files.readAllBytes(disk));
  }

  @Test
  void badCreateRequestsAreRefused() throws IOException {
    Path disk = dir.resolve("x.img");
    PartitionFileSystemProvider provider = new PartitionFileSystemProvider();
    assertThrows(IllegalArgumentException.class,
        () -> provider.newFileSystem(disk, Map.of("create", "gpt", "partitions", SPECS)));
    assertThrows(IllegalArgumentException.class,
        () -> provider.newFileSystem(disk, Map.of("create", "gpt", "size", "8M")));
    assertThrows(IllegalArgumentException.class, () -> provider.newFileSystem(disk,
        Map.of("create", "gpt", "size", "8M", "partitions", SPECS, "accessMode", "readOnly")));
    assertThrows(IllegalArgumentException.class, () -> provider.newFileSystem(disk,
        Map.of("create", "gpt", "size", "8M", "partitions", List.of("not a spec"))));
    assertEquals(false, Files.exists(disk));
  }
}
