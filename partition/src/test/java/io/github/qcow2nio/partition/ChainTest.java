package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.partition.testing.Tools;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's chain, qcow2 image to partition, with no tool; and force reaching qcow2. */
class ChainTest {
  static final int MIB = 1 << 20;

  @TempDir
  Path dir;

  private Path imageWithGpt() throws IOException {
    Path image = dir.resolve("vm.qcow2");
    try (FileSystem q = FileSystems.newFileSystem(URI.create("qcow2:" + image.toUri()),
        Map.of("create", "true", "size", Integer.toString(8 * MIB)));
        FileChannel ch = FileChannel.open(q.getPath("/disk"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      PartitionTables.createGpt(ch, 8 * MIB, 512, List.of(PartitionSpec.of(MIB, "efi"),
          PartitionSpec.rest("linux").withName("root")));
    }
    return image;
  }

  @Test
  void readmeChain() throws IOException {
    Path image = imageWithGpt();
    byte[] data = "hello, partition 2".getBytes();
    try (FileSystem img = FileSystems.newFileSystem(image);
        FileSystem disk = FileSystems.newFileSystem(img.getPath("/disk"));
        FileChannel root = FileChannel.open(disk.getPath("/2"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      assertEquals("root", Files.getAttribute(disk.getPath("/2"), "partition:name"));
      root.write(ByteBuffer.wrap(data), 0);
    }
    try (FileSystem img = FileSystems.newFileSystem(image);
        FileSystem disk = FileSystems.newFileSystem(img.getPath("/disk"));
        FileChannel root = FileChannel.open(disk.getPath("/2"))) {
      ByteBuffer back = ByteBuffer.allocate(data.length);
      root.read(back, 0);
      assertArrayEquals(data, back.array());
      ByteBuffer onDisk = ByteBuffer.allocate(data.length);
      try (FileChannel whole = FileChannel.open(img.getPath("/disk"))) {
        whole.read(onDisk, 2L * MIB); // partition 2 starts at 2 MiB
      }
      assertArrayEquals(data, onDisk.array());
    }
  }

  /** force on a partition flushes the qcow2 disk: qemu-img sees the write while we hold it open. */
  @Test
  void forceReachesTheQcow2Image() throws IOException {
    Tools.assume("qemu-img");
    Path image = imageWithGpt();
    byte[] data = new byte[64 * 1024];
    new java.util.Random(5).nextBytes(data);
    try (FileSystem img = FileSystems.newFileSystem(image);
        FileSystem disk = FileSystems.newFileSystem(img.getPath("/disk"));
        FileChannel p2 = FileChannel.open(disk.getPath("/2"), StandardOpenOption.WRITE)) {
      p2.write(ByteBuffer.wrap(data), 3 * 65536);
      p2.force(true);
      Path raw = dir.resolve("seen.raw");
      Tools.ok("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", image.toString(),
          raw.toString());
      byte[] seen = Files.readAllBytes(raw);
      byte[] at = java.util.Arrays.copyOfRange(seen, 2 * MIB + 3 * 65536,
          2 * MIB + 3 * 65536 + data.length);
      assertArrayEquals(data, at);
    }
  }
}
