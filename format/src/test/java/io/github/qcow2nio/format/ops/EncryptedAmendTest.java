package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * amend of the options other than key slots on a LUKS image, through the library: the key
 * opens it for every step, the guest bytes stay, and a downgrade that would write zeros on the
 * host of an encrypted image (zero clusters over a backing file) is refused before anything is
 * written (qemu-img 7.2 writes them, and they read back as garbage); so is one whose zero
 * clusters keep their host clusters, which qemu-img fills with zeros in place.
 */
class EncryptedAmendTest {
  private static final int SIZE = 1 << 20;

  @TempDir Path dir;

  private static KeySecret key() {
    return KeySecret.of("amend key".toCharArray());
  }

  private static CreateOptions.Builder luks(int size) {
    return CreateOptions.builder(size).clusterSize(4096)
        .encryption(EncryptionOptions.builder(key()).forceIterations(1000).build());
  }

  private byte[] read(Path p) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(p, OpenOptions.builder().keySecret(key()).build())) {
      byte[] b = new byte[(int) img.disk().size()];
      img.disk().read(ByteBuffer.wrap(b), 0);
      return b;
    }
  }

  @Test
  void refcountWidthSizeAndDowngradeKeepTheGuestBytes() throws IOException {
    Path p = dir.resolve("e.qcow2");
    byte[] model = new byte[SIZE];
    new Random(21).nextBytes(model);
    try (Qcow2Image img = Qcow2Image.create(p, luks(SIZE).build())) {
      img.disk().write(ByteBuffer.wrap(model), 0);
    }
    ImageOperations.amend(AmendOptions.builder(p).keySecret(key()).refcountBits(8).build());
    ImageOperations.amend(AmendOptions.builder(p).keySecret(key()).size(2L * SIZE).build());
    ImageOperations.amend(AmendOptions.builder(p).keySecret(key()).refcountBits(16).build());
    ImageOperations.amend(AmendOptions.builder(p).keySecret(key()).version(2).build());
    byte[] back = read(p);
    assertEquals(2 * SIZE, back.length);
    assertArrayEquals(model, java.util.Arrays.copyOf(back, SIZE));
    assertTrue(java.util.Arrays.equals(new byte[SIZE], java.util.Arrays.copyOfRange(back, SIZE,
        2 * SIZE)), "the grown part reads as zeros");
    try (Qcow2Image img = Qcow2Image.open(p, OpenOptions.builder().keySecret(key()).build())) {
      assertEquals(2, img.header().version());
      assertEquals(16, img.header().refcountBits());
    }
  }

  @Test
  void aDowngradeThatWouldWriteZerosOnTheHostIsRefused() throws IOException {
    Path base = dir.resolve("base.qcow2");
    try (Qcow2Image img = Qcow2Image.create(base, luks(SIZE).build())) {
      byte[] data = new byte[SIZE];
      new Random(22).nextBytes(data);
      img.disk().write(ByteBuffer.wrap(data), 0);
    }
    Path top = dir.resolve("top.qcow2");
    // Named only (-u): creating an image over an encrypted backing file does not open it.
    Qcow2Image.createUnsafe(top, luks(SIZE).backingFile("base.qcow2").backingFormat("qcow2")
        .build()).close();
    try (Qcow2Image img = Qcow2Image.open(top, OpenOptions.builder().writable(true)
        .keySecret(key()).build())) {
      // Over a backing file, zeros are a zero cluster that a v2 image must allocate.
      img.disk().writeZeros(4096, 4096);
    }
    byte[] before = Files.readAllBytes(top);
    UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () ->
        ImageOperations.amend(AmendOptions.builder(top).keySecret(key()).version(2).build()));
    assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(top), "nothing written");
  }
}
