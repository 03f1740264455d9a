package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.InspectionPolicy;
import io.github.qcow2nio.format.InspectionResult;
import io.github.qcow2nio.format.testing.HeaderPatch;
import io.github.qcow2nio.format.testing.ReadmeSnippets;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's usage examples, compiled and run here. Each example sits between "// begin:" and
 * "// end:" markers; {@link #readmeShowsTheseExamples} checks that README.md carries each one
 * verbatim, so the README cannot drift from code that works.
 */
class ReadmeExamplesTest {
  @TempDir Path dir;

  static void create(Path dir) throws IOException {
    // begin:create
    Path image = dir.resolve("vm.qcow2");
    URI uri = URI.create("qcow2:" + image.toUri());
    try (FileSystem fs = FileSystems.newFileSystem(uri,
        Map.of("create", "true", "size", "64M", "clusterSize", "64k"))) {
      System.out.println(Files.size(fs.getPath("/disk"))); // 67108864
    }
    // end:create
  }

  static void write(Path dir) throws IOException {
    // begin:write
    Path image = dir.resolve("vm.qcow2");
    try (FileSystem fs = FileSystems.newFileSystem(URI.create("qcow2:" + image.toUri()), Map.of());
        FileChannel disk = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE)) {
      disk.write(ByteBuffer.wrap("hello, disk".getBytes(StandardCharsets.US_ASCII)), 1 << 20);
      disk.force(true); // data, then metadata, then the image file
    }
    // end:write
  }

  static byte[] read(Path dir) throws IOException {
    // begin:read
    Path image = dir.resolve("vm.qcow2");
    byte[] sector = new byte[512];
    try (FileSystem fs = FileSystems.newFileSystem(image, Map.of("accessMode", "readOnly"));
        FileChannel disk = FileChannel.open(fs.getPath("/disk"))) {
      disk.read(ByteBuffer.wrap(sector), 1 << 20); // fills the buffer: no short reads
      Map<String, Object> info = Files.readAttributes(fs.getPath("/disk"), "qcow2:*");
      System.out.println(info.get("virtualSize") + " bytes, clusters of "
          + info.get("clusterSize") + ", snapshots " + info.get("snapshots"));
    }
    // end:read
    return sector;
  }

  static byte[] chain(Path dir) throws IOException {
    // begin:chain
    // An overlay on vm.qcow2: it takes its size from the backing file, reads through to it,
    // and keeps its own writes. The backing name resolves beside the overlay, on its provider.
    Path overlay = dir.resolve("overlay.qcow2");
    try (FileSystem fs = FileSystems.newFileSystem(URI.create("qcow2:" + overlay.toUri()),
        Map.of("create", "true", "backingFile", "vm.qcow2", "backingFormat", "qcow2"))) {
      Files.write(fs.getPath("/disk"), new byte[] {1, 2, 3}, StandardOpenOption.WRITE);
    }
    // Images live on any provider: a zip file, jimfs, even the /disk of another qcow2 image.
    Path zip = dir.resolve("images.zip");
    try (FileSystem zipfs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.copy(dir.resolve("vm.qcow2"), zipfs.getPath("/vm.qcow2"));
      Files.copy(overlay, zipfs.getPath("/overlay.qcow2"));
    }
    byte[] bytes;
    try (FileSystem zipfs = FileSystems.newFileSystem(zip);
        FileSystem fs = FileSystems.newFileSystem(zipfs.getPath("/overlay.qcow2"),
            Map.of("accessMode", "readOnly"))) {
      bytes = Files.readAllBytes(fs.getPath("/disk")); // the overlay over vm.qcow2, in the zip
    }
    // end:chain
    return bytes;
  }

  static byte[] untrusted(Path upload) throws IOException {
    byte[] bytes;
    // begin:untrusted
    // Look before use: the first cluster only, no name followed, no lock taken.
    InspectionResult verdict = ImageOperations.inspect(upload, InspectionPolicy.untrusted());
    if (!verdict.passes()) {
      throw new IOException(upload + " refused: " + verdict.violations());
    }
    // Then open it so that no file it names is ever opened, whatever its header says.
    try (FileSystem fs = FileSystems.newFileSystem(upload,
        Map.of("accessMode", "readOnly", "backingPolicy", "none"))) {
      bytes = Files.readAllBytes(fs.getPath("/disk"));
    }
    // end:untrusted
    return bytes;
  }

  @Test
  void untrustedUploadsAreInspectedThenOpenedAlone() throws IOException {
    Path upload = dir.resolve("upload.qcow2");
    Qcow2FileSystems.create(upload, Map.of("size", "64k")).close();
    assertEquals(65536, untrusted(upload).length);
    HeaderPatch.nameBacking(upload, "/etc/passwd", "raw");
    IOException e = assertThrows(IOException.class, () -> untrusted(upload));
    assertEquals(upload + " refused: [backing file '/etc/passwd' refused by backingPolicy=none: "
        + "no named file is opened]", e.getMessage());
  }

  @Test
  void examplesWork() throws IOException {
    create(dir);
    write(dir);
    byte[] sector = read(dir);
    byte[] expected = new byte[512];
    byte[] hello = "hello, disk".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(hello, 0, expected, 0, hello.length);
    assertArrayEquals(expected, sector);
    byte[] chained = chain(dir);
    assertEquals(64 << 20, chained.length);
    assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(chained, 3));
    assertArrayEquals(hello, java.util.Arrays.copyOfRange(chained, 1 << 20,
        (1 << 20) + hello.length));
  }

  @Test
  void readmeShowsTheseExamples() throws IOException {
    ReadmeSnippets.assertShown(
        Path.of("src/test/java/io/github/qcow2nio/provider/ReadmeExamplesTest.java"),
        Path.of("../README.md"), List.of("create", "write", "read", "chain", "untrusted"));
  }
}
