package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.testing.Bytes;
import io.github.qcow2nio.format.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile file names in images on the default file system, resolved through PathLocation. */
class PathHostileTest {
  @TempDir Path dir;

  Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** Opening {@code image} must fail with {@code type}, naming {@code fragment}, within 1 s. */
  static IOException fails(Path image, Class<? extends IOException> type, String fragment) {
    return assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
      IOException e = assertThrows(IOException.class, () -> Qcow2Image.open(image).close());
      assertInstanceOf(type, e, e::toString);
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
      return e;
    });
  }

  @Test
  void backingNameWithNul() throws IOException {
    Path a = write("a.qcow2", HostileImageTest.withBacking("c512.qcow2", "b\0c", "qcow2"));
    fails(a, BackingChainException.class, "b");
    Path probed = write("p.qcow2", HostileImageTest.withBacking("c512.qcow2", "b\0c", null));
    fails(probed, BackingChainException.class, "b");
  }

  @Test
  void dataFileNameWithNul() throws IOException {
    // extdata.qcow2 names "extdata.data" (12 bytes) in its DATA extension at 0x70.
    Bytes b = Bytes.of(Golden.bytes("extdata.qcow2")).ascii(0x78 + 7, "\0");
    Path a = write("a.qcow2", b.array());
    fails(a, Qcow2Exception.class, "external data file");
  }

  @Test
  void backingFileIsADirectory() throws IOException {
    Files.createDirectory(dir.resolve("sub"));
    fails(write("a.qcow2", HostileImageTest.withBacking("c512.qcow2", "sub", null)),
        BackingChainException.class, "sub");
    fails(write("b.qcow2", HostileImageTest.withBacking("c512.qcow2", "sub", "qcow2")),
        BackingChainException.class, "sub");
    fails(write("c.qcow2", HostileImageTest.withBacking("c512.qcow2", ".", "raw")),
        BackingChainException.class, ".");
  }

  @Test
  void backingFileIsItselfUnderAnotherName() throws IOException {
    fails(write("a.qcow2", HostileImageTest.withBacking("c512.qcow2", "./a.qcow2", null)),
        BackingChainException.class, "loops");
    write("b.qcow2", HostileImageTest.withBacking("c512.qcow2", "../" + dir.getFileName()
        + "/c.qcow2", "qcow2"));
    fails(write("c.qcow2", HostileImageTest.withBacking("c512.qcow2", "b.qcow2", "qcow2")),
        BackingChainException.class, "loops");
  }

  @Test
  void backingThroughASymlinkLoop() throws IOException {
    Path link = dir.resolve("link.qcow2");
    try {
      Files.createSymbolicLink(link, dir.resolve("a.qcow2"));
    } catch (UnsupportedOperationException | IOException e) {
      org.junit.jupiter.api.Assumptions.abort("no symlinks here");
    }
    fails(write("a.qcow2", HostileImageTest.withBacking("c512.qcow2", "link.qcow2", "qcow2")),
        BackingChainException.class, "loops");
  }

  @Test
  void missingBackingFile() throws IOException {
    fails(write("a.qcow2", HostileImageTest.withBacking("c512.qcow2", "gone.qcow2", "qcow2")),
        BackingChainException.class, "gone.qcow2");
  }

  @Test
  void imageThatIsNotQcow2() throws IOException {
    fails(write("a.qcow2", "not an image at all".getBytes(StandardCharsets.US_ASCII)),
        io.github.qcow2nio.format.error.NotQcow2Exception.class, "a.qcow2");
    fails(write("empty.qcow2", new byte[0]),
        io.github.qcow2nio.format.error.NotQcow2Exception.class, "empty.qcow2");
  }
}
