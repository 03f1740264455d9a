package io.github.qcow2nio.format.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.ImageLockedException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU's conflict rules between opens of one JVM, without QEMU: these hold wherever the tests
 * run (ImageLockInteropTest checks the same against qemu-io where it is installed).
 */
class ImageLocksTest {
  @TempDir Path dir;
  Path image;

  @BeforeEach
  void image() throws IOException {
    image = dir.resolve("a.qcow2");
    Qcow2Image.create(image, CreateOptions.defaults(1 << 20)).close();
  }

  private String secondOpen(OpenOptions options) {
    try (Qcow2Image img = Qcow2Image.open(image, options)) {
      return "ok";
    } catch (ImageLockedException e) {
      assertTrue(e.getMessage().endsWith("\nIs another process using the image [" + image + "]?"),
          e.getMessage());
      assertEquals(image.toString(), e.file());
      return e.getMessage().substring(0, e.getMessage().indexOf('\n'));
    } catch (IOException e) {
      return "other failure: " + e;
    }
  }

  @Test
  void readersShareAndWritersExcludeAsInQemu() throws IOException {
    OpenOptions rw = OpenOptions.readWrite();
    OpenOptions ro = OpenOptions.readOnly();
    OpenOptions shared = OpenOptions.builder().forceShare(true).build();
    try (Qcow2Image first = Qcow2Image.open(image, ro)) {
      assertEquals("ok", secondOpen(ro));
      assertEquals("ok", secondOpen(shared));
      assertEquals("Failed to get \"write\" lock", secondOpen(rw));
    }
    try (Qcow2Image first = Qcow2Image.open(image, rw)) {
      assertEquals("Failed to get shared \"write\" lock", secondOpen(ro));
      assertEquals("Failed to get \"write\" lock", secondOpen(rw));
      assertEquals("ok", secondOpen(shared));
      assertEquals("ok", secondOpen(ro.toBuilder().locking(false).build()));
    }
    try (Qcow2Image first = Qcow2Image.open(image, shared)) {
      assertEquals("ok", secondOpen(rw));
    }
    assertEquals("ok", secondOpen(rw));
  }

  @Test
  void creatingOverAnOpenImageIsRefused() throws IOException {
    try (Qcow2Image first = Qcow2Image.open(image, OpenOptions.readOnly())) {
      ImageLockedException e = assertThrows(ImageLockedException.class,
          () -> Qcow2Image.create(image, CreateOptions.defaults(2 << 20)));
      assertTrue(e.getMessage().startsWith("Failed to get \"write\" lock\n"), e.getMessage());
      assertEquals(1 << 20, first.header().size());
    }
    Qcow2Image.create(image, CreateOptions.defaults(2 << 20)).close();
  }

  @Test
  void filesOutsideTheDefaultFileSystemAreNotLocked() throws IOException {
    try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(
        dir.resolve("images.zip"), java.util.Map.of("create", "true"))) {
      Path p = zip.getPath("/a.qcow2");
      assertNull(ImageLocks.keyOf(p));
      Qcow2Image.create(p, CreateOptions.defaults(1 << 20)).close();
      try (Qcow2Image a = Qcow2Image.open(p, OpenOptions.readWrite());
          Qcow2Image b = Qcow2Image.open(p, OpenOptions.readOnly())) {
        assertEquals(a.header().size(), b.header().size());
      }
    }
  }

  @Test
  void forceShareIsOnlyForReaders() {
    assertThrows(IllegalArgumentException.class, () -> LockPermissions.image(true, true));
    assertThrows(IllegalArgumentException.class, () -> LockPermissions.dataFile(true, true));
  }
}
