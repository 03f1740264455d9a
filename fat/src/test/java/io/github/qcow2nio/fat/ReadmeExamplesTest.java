package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's examples, as written there (with paths under a temporary directory). */
class ReadmeExamplesTest {
  @TempDir Path tmp;

  @Test
  void formatThenUseInPlainNio() throws Exception {
    Path data = tmp.resolve("data.img");
    try (FileChannel ch = FileChannel.open(data,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FatType type = FatFormatter.format(ch, 64L << 20, null,
          FormatOptions.defaults().withLabel("DATA").withVolumeId(0x1234abcd));
      assertEquals(FatType.FAT16, type);
    }
    String back;
    try (FileSystem fat = FileSystems.newFileSystem(data)) {
      Files.createDirectories(fat.getPath("/Some Dir/Deeper"));
      Files.writeString(fat.getPath("/Some Dir/Deeper/A long name.txt"), "hello");
      back = Files.readString(fat.getPath("/some dir/DEEPER/a long NAME.TXT"));
      try (Stream<Path> s = Files.list(fat.getPath("/"))) {
        assertEquals(List.of("/Some Dir"), s.map(Path::toString).toList());
      }
    }
    assertEquals("hello", back);
    try (FileSystem fat = FileSystems.newFileSystem(URI.create("fat:" + data.toUri()),
        Map.of("accessMode", "readOnly"))) {
      assertEquals("hello", Files.readString(fat.getPath("/Some Dir/Deeper/A long name.txt")));
    }
  }

  @Test
  void wholeDiskFatInAQcow2Image() throws Exception {
    Tools.assume("qemu-img", "mkfs.fat", "mcopy");
    Path raw = tmp.resolve("raw.img");
    try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength(8L << 20);
    }
    Tools.ok("mkfs.fat", raw.toString());
    Path readme = tmp.resolve("README.TXT");
    Files.writeString(readme, "read me");
    Tools.ok("mcopy", "-i", raw.toString(), readme.toString(), "::/README.TXT");
    Path vm = tmp.resolve("vm.qcow2");
    Tools.ok("qemu-img", "convert", "-O", "qcow2", raw.toString(), vm.toString());
    Path out = tmp.resolve("readme.txt");
    try (FileSystem image = FileSystems.newFileSystem(vm);
        FileSystem fat = FileSystems.newFileSystem(image.getPath("/disk"))) {
      Files.copy(fat.getPath("/README.TXT"), out);
    }
    assertEquals("read me", Files.readString(out));
  }
}
