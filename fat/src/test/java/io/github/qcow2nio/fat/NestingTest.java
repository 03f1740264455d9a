package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files of a FAT volume hold other volumes and images: the providers nest both ways. */
class NestingTest {
  @TempDir Path tmp;

  @Test
  void aQcow2ImageOnAFatVolumeHoldingAFatVolume() throws Exception {
    Path outer = Volumes.format(tmp.resolve("outer.img"), 40L << 20, FatType.FAT32);
    try (FileSystem fat = FileSystems.newFileSystem(outer)) {
      Path vm = fat.getPath("/images/vm.qcow2");
      Files.createDirectory(vm.getParent());
      try (FileSystem image = FileSystems.newFileSystem(URI.create("qcow2:" + vm.toUri()),
          Map.of("create", "true", "size", "8M"))) {
        Path disk = image.getPath("/disk");
        try (SeekableByteChannel ch = Files.newByteChannel(disk, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
          FatFormatter.format(ch, 8L << 20, FatType.FAT12, FormatOptions.defaults());
        }
        try (FileSystem inner = FileSystems.newFileSystem(disk)) {
          Files.writeString(inner.getPath("/deep.txt"), "three levels down");
          // A FAT file inside a FAT volume, as a channel another reader could use.
          try (SeekableByteChannel ch = Files.newByteChannel(inner.getPath("/deep.txt"))) {
            ByteBuffer b = ByteBuffer.allocate(5);
            ch.position(6).read(b);
            assertEquals("level", new String(b.array()));
          }
        }
      }
    }
    try (FileSystem fat = FileSystems.newFileSystem(outer);
        FileSystem image = FileSystems.newFileSystem(fat.getPath("/images/vm.qcow2"));
        FileSystem inner = FileSystems.newFileSystem(image.getPath("/disk"))) {
      assertEquals("three levels down", Files.readString(inner.getPath("/deep.txt")));
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(outer);
  }

  /** A FAT image kept as a file on a FAT volume: the inner volume's file is a FileChannel. */
  @Test
  void aFatVolumeInAFileOfAFatVolume() throws Exception {
    Path outer = Volumes.format(tmp.resolve("outer16.img"), 16L << 20, FatType.FAT16);
    try (FileSystem fat = FileSystems.newFileSystem(outer)) {
      Path file = fat.getPath("/inner floppy.img");
      try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        assertEquals(true, ch instanceof java.nio.channels.FileChannel);
        FatFormatter.format(ch, 1440L << 10, null, FormatOptions.defaults().withLabel("INNER"));
      }
      try (FileSystem inner = FileSystems.newFileSystem(file)) {
        assertEquals("INNER", Files.getFileStore(inner.getPath("/")).name());
        Files.createDirectories(inner.getPath("/a/b"));
        Files.write(inner.getPath("/a/b/data"), new byte[100_000]);
        assertEquals("fat:" + file.toUri() + "!/a/b/data",
            inner.getPath("/a/b/data").toUri().toString());
      }
      try (FileSystem inner = FileSystems.newFileSystem(file)) {
        assertEquals(100_000, Files.size(inner.getPath("/A/B/DATA")));
      }
    }
    Tools.assume("fsck.fat", "mtype");
    Tools.assertFsckClean(outer);
    Path copy = tmp.resolve("inner.img");
    Files.write(copy, Tools.mtype(outer, "/inner floppy.img"));
    Tools.assertFsckClean(copy);
  }
}
