package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.examples.demo.CloudInitSeed;
import io.github.qcow2nio.format.testing.ReadmeSnippets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Inside the disk" examples, compiled and run here on the demo's seed image. Each sits
 * between "// begin:" and "// end:" markers; {@link #readmeShowsTheseExamples} checks that
 * README.md carries each one verbatim (as provider's ReadmeExamplesTest does for the others).
 */
class InsideTheDiskReadmeTest {
  @TempDir Path dir;

  static String read(Path dir) throws IOException {
    // begin:inside-read
    // The file system in partition 1 of a qcow2 image (backing chain and all): each layer is
    // found by FileSystems.newFileSystem from the bytes of the file it is given.
    Path image = dir.resolve("seed.qcow2");
    Map<String, String> readOnly = Map.of("accessMode", "readOnly");
    String userData;
    try (FileSystem qcow2 = FileSystems.newFileSystem(image, readOnly);
        FileSystem disk = FileSystems.newFileSystem(qcow2.getPath("/disk"), readOnly);
        FileSystem fat = FileSystems.newFileSystem(disk.getPath("/1"), readOnly)) {
      // qcow2 is the qcow2: provider, disk the partition: one, fat the fat: one (or ext4:)
      try (Stream<Path> files = Files.list(fat.getPath("/"))) {
        files.forEach(System.out::println); // /user-data, /meta-data
      }
      userData = Files.readString(fat.getPath("/user-data"));
    }
    // end:inside-read
    return userData;
  }

  static void write(Path dir) throws IOException {
    // begin:inside-write
    Path image = dir.resolve("seed.qcow2");
    try (FileSystem qcow2 = FileSystems.newFileSystem(image);
        FileSystem disk = FileSystems.newFileSystem(qcow2.getPath("/disk"));
        FileSystem fat = FileSystems.newFileSystem(disk.getPath("/1"))) {
      Files.writeString(fat.getPath("/vendor-data"), "#cloud-config\n");
    } // closing flushes each layer into the one below: FAT, partition, qcow2
    // end:inside-write
  }

  @Test
  void examplesWork() throws IOException {
    CloudInitSeed.build(dir, new PrintStream(new ByteArrayOutputStream()));
    assertEquals(CloudInitSeed.USER_DATA, read(dir));
    write(dir);
    ToolRun run = ToolRun.of("cat", dir.resolve("seed.qcow2").toString(), "1:/vendor-data");
    assertEquals("#cloud-config\n", run.out(), run.err());
    assertEquals(List.of("/meta-data", "/user-data", "/vendor-data"),
        ToolRun.of("ls", "-R", dir.resolve("seed.qcow2").toString(), "1:/").out().lines()
            .toList());
  }

  @Test
  void readmeShowsTheseExamples() throws IOException {
    ReadmeSnippets.assertShown(
        Path.of("src/test/java/io/github/qcow2nio/examples/InsideTheDiskReadmeTest.java"),
        Path.of("../README.md"), List.of("inside-read", "inside-write"));
  }
}
