package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LUKS chain whose three layers have three keys, made and read by this library alone: each
 * layer opened with its own key (BackingKeys), a missing or wrong key refused naming the layer,
 * and resize, commit and rebase on the encrypted layers, each checked against a model of the
 * guest bytes.
 */
class EncryptedChainTest {
  private static final int SIZE = 256 << 10;
  private static final String[] PASS = {"top key", "mid key", "base key"};

  @TempDir Path dir;
  private byte[] model;

  private Path base() {
    return dir.resolve("base.qcow2");
  }

  private Path mid() {
    return dir.resolve("mid.qcow2");
  }

  private Path top() {
    return dir.resolve("top.qcow2");
  }

  private static KeySecret key(int layer) {
    return KeySecret.of(PASS[layer].toCharArray());
  }

  private static EncryptionOptions luks(int layer) {
    return EncryptionOptions.builder(key(layer)).forceIterations(1000).build();
  }

  /** All three keys, each for its own layer, as qemu-img's backing.encrypt.key-secret. */
  private static OpenOptions allKeys() {
    return OpenOptions.builder().keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(1), key(2)))).build();
  }

  @BeforeEach
  void chain() throws IOException {
    model = new byte[SIZE];
    Random r = new Random(14);
    String[] names = {"base.qcow2", "mid.qcow2", "top.qcow2"};
    for (int layer = 2; layer >= 0; layer--) {
      // Each layer made and written alone, then given its backing file header-only: what it
      // does not write reads through to the layers below.
      Path p = dir.resolve(names[2 - layer]);
      try (Qcow2Image img = Qcow2Image.create(p, CreateOptions.builder(SIZE).clusterSize(4096)
          .encryption(luks(layer)).build())) {
        for (int i = 0; i < 6; i++) {
          // Whole clusters: a layer made alone fills the rest of a partly written cluster
          // with zeros, which would hide the layers below once it is given its backing file.
          int at = r.nextInt(SIZE / 4096 - 3) * 4096;
          byte[] data = new byte[(1 + r.nextInt(3)) * 4096];
          r.nextBytes(data);
          img.disk().write(ByteBuffer.wrap(data), at);
          System.arraycopy(data, 0, model, at, data.length);
        }
      }
      if (layer < 2) {
        ImageOperations.rebase(RebaseOptions.builder(p, names[1 - layer])
            .backingFormat("qcow2").unsafe(true).keySecret(key(layer)).build());
      }
    }
  }

  private static byte[] read(Path image, OpenOptions o) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(image, o)) {
      VirtualDisk d = img.disk();
      ByteBuffer b = ByteBuffer.allocate((int) d.size());
      d.read(b, 0);
      return b.array();
    }
  }

  @Test
  void eachLayerOpensWithItsOwnKey() throws IOException {
    assertArrayEquals(model, read(top(), allKeys()));
    // BackingKeys.of: a layer not named inherits the image's own key; here the base is named.
    OpenOptions partly = OpenOptions.builder().keySecret(key(0))
        .backingKeys(BackingKeys.of(Arrays.asList(key(1), key(2)))).build();
    assertArrayEquals(model, read(top(), partly));
  }

  @Test
  void aMissingKeyNamesTheLayer() {
    OpenOptions noBaseKey = OpenOptions.builder().keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(1)))).build();
    IOException e = assertThrows(IOException.class, () -> read(top(), noBaseKey));
    assertTrue(e.getMessage().contains(base().toString() + ": the image is encrypted"),
        e.getMessage());
    assertTrue(hasCause(e, EncryptionKeyException.class), e.toString());
  }

  @Test
  void aWrongKeyNamesTheLayer() {
    // The base takes the mid's key: inherited from nothing, named wrongly.
    OpenOptions wrong = OpenOptions.builder().keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(1), key(1)))).build();
    IOException e = assertThrows(IOException.class, () -> read(top(), wrong));
    assertTrue(e.getMessage().contains(base().toString()), e.getMessage());
    assertFalse(e.getMessage().contains(mid().toString() + ": Invalid"), e.getMessage());
    assertTrue(hasCause(e, EncryptionKeyException.class), e.toString());
    for (String p : PASS) {
      assertFalse(e.getMessage().contains(p), e.getMessage());
    }
    // Today's form: every layer takes the top's key, which only the top has.
    IOException inherit = assertThrows(IOException.class, () -> read(top(),
        OpenOptions.builder().keySecret(key(0)).build()));
    assertTrue(inherit.getMessage().contains(mid().toString()), inherit.getMessage());
  }

  @Test
  void optionsNeverShowTheSecrets() {
    String text = allKeys().toString() + allKeys().forLayer(1) + allKeys().forLayer(2);
    for (String p : PASS) {
      assertFalse(text.contains(p), text);
    }
    assertTrue(text.contains("hidden"), text);
  }

  @Test
  void resizeGrowsAndShrinksAnEncryptedLayer() throws IOException {
    ImageOperations.resize(ResizeOptions.to(top(), 2L * SIZE).withKeySecret(key(0))
        .withBackingKeys(BackingKeys.exactly(List.of(key(1), key(2)))));
    byte[] grown = Arrays.copyOf(model, 2 * SIZE);
    assertArrayEquals(grown, read(top(), allKeys()));
    try (Qcow2Image img = Qcow2Image.open(top(), allKeys().toBuilder().writable(true).build())) {
      img.disk().write(ByteBuffer.wrap(new byte[] {1, 2, 3}), SIZE + 100);
    }
    grown[SIZE + 100] = 1;
    grown[SIZE + 101] = 2;
    grown[SIZE + 102] = 3;
    assertArrayEquals(grown, read(top(), allKeys()));
    ImageOperations.resize(ResizeOptions.to(top(), SIZE / 2).withShrink(true)
        .withKeySecret(key(0)).withBackingKeys(BackingKeys.exactly(List.of(key(1), key(2)))));
    assertArrayEquals(Arrays.copyOf(model, SIZE / 2), read(top(), allKeys()));
    CheckResult c = Qcow2Check.check(top(), CheckOptions.builder().keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(1), key(2)))).build());
    assertEquals(0, c.checkErrors() + c.corruptions() + c.leaks());
  }

  @Test
  void resizeWithoutTheKeyIsRefusedAndChangesNothing() throws IOException {
    byte[] before = java.nio.file.Files.readAllBytes(top());
    assertThrows(IOException.class, () -> ImageOperations.resize(
        ResizeOptions.to(top(), 2L * SIZE)));
    assertArrayEquals(before, java.nio.file.Files.readAllBytes(top()));
  }

  @Test
  void commitReencryptsWithTheBaseKey() throws IOException {
    CommitResult r = ImageOperations.commit(CommitOptions.builder(top()).keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(1), key(2)))).build());
    assertEquals(1, r.layersCommitted());
    assertArrayEquals(model, read(top(), allKeys()));
    // The mid now holds everything the top held, under its own key.
    assertArrayEquals(model, read(mid(), OpenOptions.builder().keySecret(key(1))
        .backingKeys(BackingKeys.exactly(List.of(key(2)))).build()));
  }

  @Test
  void commitIntoTheBaseTwoLayersDown() throws IOException {
    ImageOperations.commit(CommitOptions.builder(top()).base("base.qcow2").keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(1), key(2)))).build());
    // -b: the base now reads as the whole chain did.
    assertArrayEquals(model, read(base(), OpenOptions.builder().keySecret(key(2)).build()));
  }

  @Test
  void safeRebaseOntoAnEncryptedNewBackingFile() throws IOException {
    // From mid onto base directly: what mid held must be copied into the top, under its key.
    ImageOperations.rebase(RebaseOptions.builder(top(), "base.qcow2").backingFormat("qcow2")
        .keySecret(key(0)).backingKeys(BackingKeys.exactly(List.of(key(1), key(2))))
        .newBackingKeys(BackingKeys.exactly(List.of(key(2)))).build());
    assertArrayEquals(model, read(top(), OpenOptions.builder().keySecret(key(0))
        .backingKeys(BackingKeys.exactly(List.of(key(2)))).build()));
  }

  @Test
  void rebaseOntoAnEncryptedFileWithoutItsKeyIsRefused() throws IOException {
    byte[] before = java.nio.file.Files.readAllBytes(top());
    IOException e = assertThrows(IOException.class, () -> ImageOperations.rebase(
        RebaseOptions.builder(top(), "base.qcow2").backingFormat("qcow2").keySecret(key(0))
            .backingKeys(BackingKeys.exactly(List.of(key(1), key(2))))
            .newBackingKeys(BackingKeys.exactly(List.of())).build()));
    assertTrue(e.getMessage().startsWith("Could not open new backing file 'base.qcow2'"),
        e.getMessage());
    assertArrayEquals(before, java.nio.file.Files.readAllBytes(top()));
  }

  @Test
  void unsafeRebaseNeedsOnlyTheOverlayKey() throws IOException {
    ImageOperations.rebase(RebaseOptions.builder(top(), "base.qcow2").backingFormat("qcow2")
        .unsafe(true).keySecret(key(0)).build());
    try (Qcow2Image img = Qcow2Image.open(top(), OpenOptions.builder().keySecret(key(0))
        .openBacking(false).build())) {
      assertEquals("base.qcow2", img.backingFile().orElseThrow());
    }
    assertThrows(IOException.class, () -> ImageOperations.rebase(RebaseOptions.builder(top(),
        "mid.qcow2").backingFormat("qcow2").unsafe(true).build()));
  }

  private static boolean hasCause(Throwable t, Class<?> type) {
    for (; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
