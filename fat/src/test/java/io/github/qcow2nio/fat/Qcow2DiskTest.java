package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A whole-disk FAT volume inside a qcow2 image, made and filled through the qcow2 provider's
 * /disk (a FileChannel): it reads back after a remount, and qemu-img's raw conversion passes
 * fsck.fat and reads in mtools as written.
 */
class Qcow2DiskTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(FatType.class)
  void formatAndFillThroughTheDisk(FatType type) throws Exception {
    Path qcow = tmp.resolve("vm.qcow2");
    long size = type == FatType.FAT32 ? 40L << 20 : type == FatType.FAT16 ? 16L << 20 : 2L << 20;
    LinkedHashMap<String, byte[]> tree = Trees.random(type.ordinal() + 40, 512);
    // By URI: zipfs would take create=true on a Path for itself.
    try (FileSystem image = FileSystems.newFileSystem(java.net.URI.create("qcow2:"
        + qcow.toUri()), Map.of("create", "true", "size", "" + size))) {
      Path disk = image.getPath("/disk");
      try (SeekableByteChannel ch = Files.newByteChannel(disk, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        assertInstanceOf(FileChannel.class, ch);
        FatFormatter.format(ch, size, type, FormatOptions.defaults().withLabel("INQCOW2")
            .withSectorsPerCluster(1));
      }
      try (FileSystem fs = FileSystems.newFileSystem(disk)) {
        assertInstanceOf(FatFileSystem.class, fs);
        for (Map.Entry<String, byte[]> e : tree.entrySet()) {
          if (e.getValue() == null) {
            Files.createDirectory(fs.getPath(e.getKey()));
          } else {
            Files.write(fs.getPath(e.getKey()), e.getValue());
          }
        }
      }
      try (FileSystem fs = FileSystems.newFileSystem(disk)) {
        assertEquals("", Trees.diff(Trees.sorted(tree), Trees.read(fs.getPath("/"))));
        // The file's own URI holds "!/": the path is what follows the last one.
        Files.writeString(fs.getPath("/by uri"), "found");
        java.net.URI uri = fs.getPath("/by uri").toUri();
        assertEquals("fat:" + disk.toUri() + "!/by%20uri", uri.toString());
        assertEquals("found", Files.readString(java.nio.file.Paths.get(uri)));
        tree.put("/by uri", "found".getBytes());
      }
    }
    Tools.assume("qemu-img", "fsck.fat", "mdir", "mtype");
    Path raw = tmp.resolve("vm.raw");
    Tools.ok("qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow.toString(), raw.toString());
    Tools.assertFsckClean(raw);
    assertEquals("", Trees.diff(Trees.sorted(tree), Trees.mtoolsRead(raw)));
  }
}
