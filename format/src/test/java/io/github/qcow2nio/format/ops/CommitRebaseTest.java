package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.CommitResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.RebaseOptions;
import io.github.qcow2nio.format.RebaseResult;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commit and rebase as library calls, without qemu-img: seeded random chains whose every layer
 * has a byte model, committed and rebased, then read back against the models; what a commit
 * leaves in the overlay, what a rebase copies, their refusals and cancellation. The examples
 * module runs both against qemu-img itself, and the write package's fault sweep crashes them.
 */
class CommitRebaseTest {
  private static final int SIZE = 1 << 20;
  private static final int CLUSTER = 4096;
  @TempDir Path dir;

  /** An image of {@code size} bytes over {@code backing} (or none). */
  private Path image(String name, int size, String backing) throws IOException {
    Path p = dir.resolve(name);
    CreateOptions.Builder b = CreateOptions.builder(size).clusterSize(CLUSTER);
    if (backing != null) {
      b.backingFile(backing).backingFormat("qcow2");
    }
    Qcow2Image.create(p, b.build()).close();
    return p;
  }

  /** Seeded writes and zero writes into {@code image}, applied to {@code model} too. */
  private static void scribble(Path image, byte[] model, long seed, int writes)
      throws IOException {
    Random r = new Random(seed);
    try (Qcow2Image img = Qcow2Image.open(image,
        io.github.qcow2nio.format.OpenOptions.readWrite())) {
      VirtualDisk d = img.disk();
      for (int i = 0; i < writes; i++) {
        int at = r.nextInt(model.length - 1);
        int len = 1 + r.nextInt(Math.min(3 * CLUSTER, model.length - at));
        if (r.nextInt(4) == 0) {
          d.writeZeros(at, len);
          Arrays.fill(model, at, at + len, (byte) 0);
        } else {
          byte[] data = new byte[len];
          r.nextBytes(data);
          d.write(ByteBuffer.wrap(data), at);
          System.arraycopy(data, 0, model, at, len);
        }
      }
      d.flush();
    }
  }

  private static byte[] read(Path image) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk d = img.disk();
      ByteBuffer b = ByteBuffer.allocate((int) d.size());
      d.read(b, 0);
      return b.array();
    }
  }

  /** Guest bytes of the image's own layer that it allocates. */
  private static long allocated(Path image) throws IOException {
    long n = 0;
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk d = img.disk();
      for (long at = 0; at < d.size(); ) {
        Extent e = d.blockStatus(at, d.size() - at);
        if (e.type() != ClusterType.UNALLOCATED) {
          n += e.length();
        }
        at = e.end();
      }
    }
    return n;
  }

  private static byte[] over(byte[] below, byte[] top) {
    byte[] out = below.clone();
    System.arraycopy(top, 0, out, 0, Math.min(top.length, out.length));
    return out;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void commitPutsTheOverlaysContentIntoTheBaseAndEmptiesIt(long seed) throws IOException {
    byte[] base = new byte[SIZE];
    Path b = image("b" + seed + ".qcow2", SIZE, null);
    scribble(b, base, seed, 30);
    Path t = image("t" + seed + ".qcow2", SIZE, b.getFileName().toString());
    byte[] guest = base.clone();
    scribble(t, guest, seed * 31, 30);
    CommitResult r = ImageOperations.commit(CommitOptions.of(t));
    assertEquals(1, r.layersCommitted());
    assertTrue(r.emptied());
    assertTrue(r.dataBytes() > 0);
    assertArrayEquals(guest, read(b), "the base reads as the overlay did");
    assertArrayEquals(guest, read(t), "the overlay still reads the same");
    assertEquals(0, allocated(t), "the overlay is empty");
    // As qemu-img 7.2 leaves it: as small as a new overlay, the L1 table's cluster whole.
    byte[] fresh = Files.readAllBytes(image("fresh" + seed + ".qcow2", SIZE,
        b.getFileName().toString()));
    byte[] now = Files.readAllBytes(t);
    assertEquals((fresh.length + CLUSTER - 1) / CLUSTER * CLUSTER, now.length, "length");
    assertArrayEquals(Arrays.copyOf(fresh, now.length), now, "the overlay as created");
  }

  @Test
  void keepOverlayLeavesItsClusters() throws IOException {
    byte[] base = new byte[SIZE];
    Path b = image("b.qcow2", SIZE, null);
    scribble(b, base, 7, 20);
    Path t = image("t.qcow2", SIZE, "b.qcow2");
    byte[] guest = base.clone();
    scribble(t, guest, 8, 20);
    byte[] before = Files.readAllBytes(t);
    CommitResult r = ImageOperations.commit(CommitOptions.builder(t).keepOverlay(true).build());
    assertFalse(r.emptied());
    assertArrayEquals(before, Files.readAllBytes(t), "-d: the overlay's file is unchanged");
    assertArrayEquals(guest, read(b));
  }

  @Test
  void deepCommitFoldsEveryLayerAndZerosStayZeros() throws IOException {
    byte[] base = new byte[SIZE];
    Arrays.fill(base, (byte) 0x11);
    Path b = image("b.qcow2", SIZE, null);
    try (Qcow2Image img = Qcow2Image.open(b, io.github.qcow2nio.format.OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap(base), 0);
    }
    Path m = image("m.qcow2", SIZE, "b.qcow2");
    byte[] guest = base.clone();
    scribble(m, guest, 9, 20);
    Path t = image("t.qcow2", SIZE, "m.qcow2");
    scribble(t, guest, 10, 20);
    try (Qcow2Image img = Qcow2Image.open(t, io.github.qcow2nio.format.OpenOptions.readWrite())) {
      // Whole zero clusters over the base's 0x11s: they must not become holes.
      img.disk().writeZeros(8 * CLUSTER, 4 * CLUSTER);
    }
    Arrays.fill(guest, 8 * CLUSTER, 12 * CLUSTER, (byte) 0);
    byte[] mid = Files.readAllBytes(m);
    byte[] top = Files.readAllBytes(t);
    CommitResult r = ImageOperations.commit(CommitOptions.builder(t).base("b.qcow2").build());
    assertEquals(2, r.layersCommitted());
    assertFalse(r.emptied(), "-b implies -d");
    assertArrayEquals(guest, read(b));
    assertArrayEquals(mid, Files.readAllBytes(m), "the layers above the base are left alone");
    assertArrayEquals(top, Files.readAllBytes(t));
    // The base named by its path works as well as by the name the chain records.
    ImageOperations.commit(CommitOptions.builder(t).base(b.toString()).build());
    assertArrayEquals(guest, read(b));
  }

  @Test
  void aLargerOverlayGrowsTheBaseAndASmallerOneLeavesItsTail() throws IOException {
    byte[] base = new byte[SIZE];
    Path b = image("b.qcow2", SIZE, null);
    scribble(b, base, 11, 20);
    Path t = image("t.qcow2", 2 * SIZE, "b.qcow2");
    byte[] guest = over(new byte[2 * SIZE], base);
    scribble(t, guest, 12, 40);
    ImageOperations.commit(CommitOptions.of(t));
    assertArrayEquals(guest, read(b));

    Path b2 = image("b2.qcow2", SIZE, null);
    byte[] base2 = new byte[SIZE];
    scribble(b2, base2, 13, 20);
    Path t2 = image("t2.qcow2", SIZE / 2, "b2.qcow2");
    byte[] small = Arrays.copyOf(base2, SIZE / 2);
    scribble(t2, small, 14, 20);
    ImageOperations.commit(CommitOptions.of(t2));
    assertArrayEquals(over(base2, small), read(b2));
  }

  @Test
  void commitRefusals() throws IOException {
    Path alone = image("alone.qcow2", SIZE, null);
    Qcow2Exception e = assertThrows(Qcow2Exception.class,
        () -> ImageOperations.commit(CommitOptions.of(alone)));
    assertEquals("Image does not have a backing file", e.getMessage());
    Path t = image("t.qcow2", SIZE, "alone.qcow2");
    e = assertThrows(Qcow2Exception.class,
        () -> ImageOperations.commit(CommitOptions.builder(t).base("other.qcow2").build()));
    assertEquals("Did not find 'other.qcow2' in the backing chain of '" + t + "'",
        e.getMessage());
  }

  @Test
  void cancelledCommitLeavesTheOverlay() throws IOException {
    byte[] base = new byte[SIZE];
    Path b = image("b.qcow2", SIZE, null);
    scribble(b, base, 15, 10);
    Path t = image("t.qcow2", SIZE, "b.qcow2");
    byte[] guest = base.clone();
    scribble(t, guest, 16, 10);
    byte[] before = Files.readAllBytes(t);
    ProgressListener cancel = new ProgressListener() {
      @Override
      public void progress(long done, long total) {}

      @Override
      public boolean cancelled() {
        return true;
      }
    };
    assertThrows(InterruptedIOException.class,
        () -> ImageOperations.commit(CommitOptions.of(t), cancel));
    assertArrayEquals(before, Files.readAllBytes(t));
    assertArrayEquals(guest, read(t));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void safeRebaseKeepsTheGuestsBytesAndCopiesOnlyWhatDiffers(long seed) throws IOException {
    byte[] old = new byte[SIZE];
    Path o = image("o" + seed + ".qcow2", SIZE, null);
    scribble(o, old, seed, 20);
    Path n = image("n" + seed + ".qcow2", SIZE, null);
    byte[] neu = old.clone();
    try (Qcow2Image img = Qcow2Image.open(n, io.github.qcow2nio.format.OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap(old), 0);
    }
    scribble(n, neu, seed * 7, 5);
    Path t = image("t" + seed + ".qcow2", SIZE, o.getFileName().toString());
    byte[] guest = old.clone();
    scribble(t, guest, seed * 13, 10);
    long ownBefore = allocated(t);
    RebaseResult r = ImageOperations.rebase(RebaseOptions.of(t, n.getFileName().toString(),
        "qcow2"));
    assertArrayEquals(guest, read(t));
    try (Qcow2Image img = Qcow2Image.open(t)) {
      assertEquals(n.getFileName().toString(), img.backingFile().orElseThrow());
      assertEquals("qcow2", img.backingFormat().orElseThrow());
    }
    long differing = 0;
    for (int s = 0; s < SIZE; s += 512) {
      if (!Arrays.equals(old, s, s + 512, neu, s, s + 512)) {
        differing++;
      }
    }
    assertTrue(r.copiedBytes() <= differing * 512, "only differing sectors are copied");
    assertTrue(allocated(t) <= ownBefore + (differing + 1) * CLUSTER * 2L,
        "the overlay grows by the differing clusters only");
  }

  @Test
  void flatteningMakesTheOverlayStandalone() throws IOException {
    byte[] old = new byte[SIZE];
    Path o = image("o.qcow2", SIZE, null);
    scribble(o, old, 21, 20);
    Path t = image("t.qcow2", SIZE, "o.qcow2");
    byte[] guest = old.clone();
    scribble(t, guest, 22, 20);
    ImageOperations.rebase(RebaseOptions.builder(t, "").build());
    Files.delete(o);
    try (Qcow2Image img = Qcow2Image.open(t)) {
      assertTrue(img.backingFile().isEmpty());
      assertTrue(img.backingFormat().isEmpty());
    }
    assertArrayEquals(guest, read(t));
  }

  @Test
  void unsafeRebaseChangesTheHeaderOnly() throws IOException {
    Path o = image("o.qcow2", SIZE, null);
    scribble(o, new byte[SIZE], 23, 20);
    Path t = image("t.qcow2", SIZE, "o.qcow2");
    scribble(t, new byte[SIZE], 24, 5);
    byte[] before = Files.readAllBytes(t);
    RebaseResult r = ImageOperations.rebase(RebaseOptions.builder(t, "gone.qcow2")
        .backingFormat("raw").unsafe(true).build());
    assertEquals(0, r.copiedBytes());
    byte[] after = Files.readAllBytes(t);
    assertEquals(before.length, after.length);
    // Only cluster 0 (the header) changed.
    assertArrayEquals(Arrays.copyOfRange(before, CLUSTER, before.length),
        Arrays.copyOfRange(after, CLUSTER, after.length));
    try (Qcow2Image img = Qcow2Image.open(t,
        io.github.qcow2nio.format.OpenOptions.builder().openBacking(false).build())) {
      assertEquals("gone.qcow2", img.backingFile().orElseThrow());
      assertEquals("raw", img.backingFormat().orElseThrow());
    }
  }

  @Test
  void withoutAFormatTheDataIsCopiedButTheHeaderKept() throws IOException {
    byte[] old = new byte[SIZE];
    Path o = image("o.qcow2", SIZE, null);
    scribble(o, old, 25, 20);
    Path n = image("n.qcow2", SIZE, null);
    Path t = image("t.qcow2", SIZE, "o.qcow2");
    byte[] guest = old.clone();
    scribble(t, guest, 26, 5);
    Qcow2Exception e = assertThrows(Qcow2Exception.class, () -> ImageOperations.rebase(
        RebaseOptions.builder(t, "n.qcow2").build()));
    assertEquals("Could not change the backing file to 'n.qcow2': backing format must be "
        + "specified", e.getMessage());
    try (Qcow2Image img = Qcow2Image.open(t)) {
      assertEquals("o.qcow2", img.backingFile().orElseThrow());
    }
    assertArrayEquals(guest, read(t));
    assertTrue(Files.exists(n));
  }

  @Test
  void compressedRebaseStoresTheCopiedClustersCompressed() throws IOException {
    byte[] old = new byte[SIZE];
    Arrays.fill(old, (byte) 0x42);
    Path o = image("o.qcow2", SIZE, null);
    try (Qcow2Image img = Qcow2Image.open(o, io.github.qcow2nio.format.OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap(old), 0);
    }
    Path t = image("t.qcow2", SIZE, "o.qcow2");
    byte[] guest = old.clone();
    scribble(t, guest, 27, 5);
    ImageOperations.rebase(RebaseOptions.builder(t, "").compress(true).build());
    assertArrayEquals(guest, read(t));
    int compressed = 0;
    try (Qcow2Image img = Qcow2Image.open(t)) {
      VirtualDisk d = img.disk();
      for (long at = 0; at < d.size(); ) {
        Extent x = d.blockStatus(at, d.size() - at);
        compressed += x.type() == ClusterType.COMPRESSED ? 1 : 0;
        at = x.end();
      }
    }
    assertTrue(compressed > SIZE / CLUSTER / 2, compressed + " compressed clusters");
  }

  @Test
  void aRelativeNameIsRelativeToTheOverlaysDirectory() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    byte[] data = new byte[SIZE];
    Path n = dir.resolve("sub").resolve("n.qcow2");
    Qcow2Image.create(n, CreateOptions.builder(SIZE).build()).close();
    scribble(n, data, 28, 5);
    Path t = image("t.qcow2", SIZE, null);
    ImageOperations.rebase(RebaseOptions.builder(t, "sub/n.qcow2").backingFormat("qcow2")
        .unsafe(true).build());
    assertArrayEquals(data, read(t));
    IOException e = assertThrows(IOException.class, () -> ImageOperations.rebase(
        RebaseOptions.of(t, "nowhere.qcow2", "qcow2")));
    assertEquals("Could not open new backing file 'nowhere.qcow2': Could not open '"
        + dir.resolve("nowhere.qcow2") + "': No such file or directory", e.getMessage());
  }

  @Test
  void cancelledRebaseKeepsTheOldBackingFile() throws IOException {
    Path o = image("o.qcow2", SIZE, null);
    byte[] old = new byte[SIZE];
    scribble(o, old, 29, 20);
    Path t = image("t.qcow2", SIZE, "o.qcow2");
    ProgressListener cancel = new ProgressListener() {
      private int calls;

      @Override
      public void progress(long done, long total) {
        calls++;
      }

      @Override
      public boolean cancelled() {
        return calls > 1;
      }
    };
    assertThrows(InterruptedIOException.class,
        () -> ImageOperations.rebase(RebaseOptions.builder(t, "").build(), cancel));
    try (Qcow2Image img = Qcow2Image.open(t)) {
      assertEquals("o.qcow2", img.backingFile().orElseThrow());
    }
    assertArrayEquals(old, read(t));
  }
}
