package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.testing.HeaderPatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The env keys {@code backingPolicy} and {@code confineTo}, parsed and then obeyed on open. */
class BackingPolicyEnvTest {
  @TempDir Path root;

  @Test
  void followIsTheDefaultAndTheValuesAreChecked() {
    assertEquals(ReferencePolicy.follow(), Qcow2Env.parse(Map.of()).referencePolicy(root));
    assertEquals(ReferencePolicy.none(),
        Qcow2Env.parse(Map.of("backingPolicy", "none")).referencePolicy(root));
    assertEquals(ReferencePolicy.confinedTo(root), Qcow2Env.parse(
        Map.of("backingPolicy", "confined", "confineTo", root)).referencePolicy(root));
    assertEquals(ReferencePolicy.confinedTo(root), Qcow2Env.parse(
        Map.of("backingPolicy", "confined", "confineTo", root.toUri()))
        .referencePolicy(root));
    assertEquals(ReferencePolicy.confinedTo(root), Qcow2Env.parse(
        Map.of("backingPolicy", ReferencePolicy.Mode.CONFINED, "confineTo", root.toString()))
        .referencePolicy(root));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("backingPolicy", "never")));
    assertEquals("bad value 'never' for qcow2 file system option 'backingPolicy'; valid values: "
        + "follow, none, confined", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("backingPolicy", "confined")));
    assertTrue(e.getMessage().contains("needs 'confineTo'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("confineTo", root)));
    assertTrue(e.getMessage().contains("goes with 'backingPolicy=confined'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("backingPolicy", "confined", "confineTo", 42)));
  }

  @Test
  void anUntrustedImageNamingAHostFileIsRefused() throws IOException {
    Path secret = Files.writeString(root.resolve("secret.txt"), "password");
    Path uploads = Files.createDirectories(root.resolve("uploads"));
    Path upload = image(uploads.resolve("upload.qcow2"), secret.toString(), "raw");

    // Trusted use follows the name, as QEMU does, and the host file shows through the disk.
    try (FileSystem fs = FileSystems.newFileSystem(upload, Map.of("accessMode", "readOnly"))) {
      assertEquals("password", firstBytes(fs.getPath("/disk"), 8));
    }
    for (Map<String, ?> env : java.util.List.<Map<String, ?>>of(Map.of("backingPolicy", "none"),
        Map.of("backingPolicy", "confined", "confineTo", uploads))) {
      ReferenceRefusedException e = assertThrows(ReferenceRefusedException.class,
          () -> FileSystems.newFileSystem(upload, env));
      assertTrue(e.getMessage().startsWith(upload + ": backing file '" + secret
          + "' refused by backingPolicy="), e.getMessage());
    }
  }

  @Test
  void confinedFollowsNamesInsideItsDirectoryOnAnyProvider() throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = Files.createDirectories(jimfs.getPath("/images"));
      Files.writeString(dir.resolve("base.raw"), "base-bytes", StandardCharsets.US_ASCII);
      Path top = image(dir.resolve("top.qcow2"), "base.raw", "raw");
      try (FileSystem fs = FileSystems.newFileSystem(top,
          Map.of("backingPolicy", "confined", "confineTo", "/images"))) {
        assertEquals("base-byt", firstBytes(fs.getPath("/disk"), 8));
      }
      ReferenceRefusedException e = assertThrows(ReferenceRefusedException.class,
          () -> FileSystems.newFileSystem(top,
              Map.of("backingPolicy", "confined", "confineTo", "/elsewhere")));
      assertTrue(e.getMessage().endsWith("the directory /elsewhere does not exist"),
          e.getMessage());
      Files.createDirectories(jimfs.getPath("/elsewhere"));
      e = assertThrows(ReferenceRefusedException.class,
          () -> FileSystems.newFileSystem(top,
              Map.of("backingPolicy", "confined", "confineTo", "/elsewhere")));
      assertTrue(e.getMessage().endsWith("it lies outside /elsewhere"), e.getMessage());
    }
  }

  private static Path image(Path file, String backing, String format) throws IOException {
    Qcow2FileSystems.create(file, Map.of("size", "64k")).close();
    HeaderPatch.nameBacking(file, backing, format);
    return file;
  }

  private static String firstBytes(Path disk, int n) throws IOException {
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(n);
      ch.read(b, 0);
      return new String(b.array(), StandardCharsets.US_ASCII);
    }
  }
}
