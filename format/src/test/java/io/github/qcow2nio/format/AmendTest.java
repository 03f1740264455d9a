package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImageOperations#amend} and {@link ImageOperations#resize} at library level, without
 * qemu-img: the guest content survives every change (checked against what was written), our own
 * check finds the result clean, a refused call changes no byte, and a compat round trip gives
 * the bytes {@code create} gives (which is what qemu-img does: observed, see
 * AmendAgainstQemuTest).
 */
class AmendTest {
  @TempDir Path dir;

  private Path image(CreateOptions o, long seed) throws IOException {
    Path p = dir.resolve("img" + seed + ".qcow2");
    try (Qcow2Image img = Qcow2Image.create(p, o)) {
      VirtualDisk d = img.disk();
      Random r = new Random(seed);
      for (int i = 0; i < 12; i++) {
        byte[] b = new byte[1 + r.nextInt(100_000)];
        r.nextBytes(b);
        d.write(ByteBuffer.wrap(b), r.nextInt((int) (d.size() - b.length)));
      }
      d.writeZeros(0, 3 * (long) o.clusterSize());
      if (o.version() == 3) {
        img.createSnapshot("s1");
        d.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 5000);
      }
    }
    return p;
  }

  private static byte[] contents(Path p) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(p)) {
      byte[] b = new byte[(int) img.disk().size()];
      img.disk().read(ByteBuffer.wrap(b), 0);
      return b;
    }
  }

  private static void clean(Path p, String what) throws IOException {
    CheckResult c = Qcow2Image.check(p, CheckOptions.check());
    assertEquals(0, c.checkErrors() + c.corruptions() + c.leaks(), what + ": " + c);
  }

  @Test
  void everyRefcountWidthBothWaysKeepsTheContent() throws IOException {
    for (int cluster : new int[] {512, 4096, 65536}) {
      Path p = image(CreateOptions.builder(4 << 20).clusterSize(cluster).build(), cluster);
      byte[] before = contents(p);
      for (int bits : new int[] {1, 64, 2, 32, 4, 8, 16}) {
        String what = cluster + "-byte clusters, " + bits + " bits";
        if (bits == 1) {
          // The snapshot shares clusters: a count of 2 does not fit one bit.
          Qcow2Exception e = assertThrows(Qcow2Exception.class, () -> ImageOperations.amend(
              AmendOptions.builder(p).refcountBits(1).build()));
          assertTrue(e.getMessage().startsWith(
              "Cannot decrease refcount entry width to 1 bits: Cluster at offset 0x"), what);
          continue;
        }
        AmendResult r = ImageOperations.amend(AmendOptions.builder(p).refcountBits(bits).build());
        assertEquals(bits, r.after().refcountBits(), what);
        assertArrayEquals(before, contents(p), what);
        clean(p, what);
      }
    }
  }

  @Test
  void compatRoundTripGivesWhatCreateGives() throws IOException {
    Path a = dir.resolve("a.qcow2");
    Path v2 = dir.resolve("v2.qcow2");
    Path v3 = dir.resolve("v3.qcow2");
    Qcow2Image.create(a, CreateOptions.defaults(64 << 20)).close();
    Qcow2Image.create(v2, CreateOptions.builder(64 << 20).version(2).build()).close();
    Qcow2Image.create(v3, CreateOptions.defaults(64 << 20)).close();
    ImageOperations.amend(AmendOptions.builder(a).version(2).build());
    assertArrayEquals(Files.readAllBytes(v2), Files.readAllBytes(a), "amended to 0.10");
    ImageOperations.amend(AmendOptions.builder(a).version(3).build());
    assertArrayEquals(Files.readAllBytes(v3), Files.readAllBytes(a), "amended back to 1.1");
  }

  @Test
  void downgradeExpandsZeroClustersAndKeepsTheContent() throws IOException {
    Path p = image(CreateOptions.builder(2 << 20).clusterSize(4096).build(), 7);
    byte[] before = contents(p);
    AmendResult r = ImageOperations.amend(AmendOptions.builder(p).version(2).build());
    assertEquals(2, r.after().version());
    assertTrue(r.zeroClustersExpanded() >= 3, "zero clusters expanded: " + r);
    assertArrayEquals(before, contents(p));
    clean(p, "downgraded");
    r = ImageOperations.amend(AmendOptions.builder(p).version(3).lazyRefcounts(true).build());
    assertTrue(r.after().hasLazyRefcounts());
    assertArrayEquals(before, contents(p));
    clean(p, "upgraded");
  }

  /**
   * A downgrade over a backing file, with zero clusters in tables the active layer shares with
   * a snapshot and in the snapshot's own, and with a persistent bitmap: every layer reads as
   * before (the zeros stay zeros, the backing file does not show through), the bitmap is gone
   * and our check finds nothing leaked.
   */
  @Test
  void downgradeOverABackingFileKeepsEverySnapshotAndFreesTheBitmaps() throws IOException {
    Path base = dir.resolve("base.qcow2");
    try (Qcow2Image img = Qcow2Image.create(base, CreateOptions.builder(1 << 20).build())) {
      byte[] b = new byte[1 << 20];
      java.util.Arrays.fill(b, (byte) 0x5a);
      img.disk().write(ByteBuffer.wrap(b), 0);
    }
    Path p = dir.resolve("over.qcow2");
    try (Qcow2Image img = Qcow2Image.create(p, CreateOptions.builder(1 << 20).clusterSize(4096)
        .backingFile("base.qcow2").backingFormat("qcow2").build())) {
      img.disk().writeZeros(0, 64 << 10);
      img.disk().write(ByteBuffer.wrap(new byte[] {7, 7, 7}), 70 << 10);
      img.createSnapshot("s1");
      img.createSnapshot("s2");
      img.disk().writeZeros(512 << 10, 16 << 10);
      img.disk().write(ByteBuffer.wrap(new byte[] {9}), 4096);
      img.editBitmap(BitmapOptions.builder("b1").add().build());
      img.disk().write(ByteBuffer.wrap(new byte[] {1}), 900 << 10);
    }
    byte[] before = contents(p);
    byte[] s1;
    byte[] s2;
    try (Qcow2Image img = Qcow2Image.open(p)) {
      s1 = read(img.snapshotDisk("s1"));
      s2 = read(img.snapshotDisk("s2"));
    }
    assertEquals(0, s1[0]);
    assertEquals(0x5a, s1[100 << 10]);
    AmendResult r = ImageOperations.amend(AmendOptions.builder(p).version(2).build());
    assertEquals(2, r.after().version());
    assertTrue(r.zeroClustersExpanded() >= 16 + 4, r.toString());
    assertArrayEquals(before, contents(p));
    try (Qcow2Image img = Qcow2Image.open(p)) {
      assertArrayEquals(s1, read(img.snapshotDisk("s1")), "s1");
      assertArrayEquals(s2, read(img.snapshotDisk("s2")), "s2");
      assertTrue(img.bitmaps().isEmpty());
      assertTrue(img.extensions().bitmaps().isEmpty());
    }
    clean(p, "downgraded");
  }

  private static byte[] read(VirtualDisk d) throws IOException {
    byte[] b = new byte[(int) d.size()];
    d.read(ByteBuffer.wrap(b), 0);
    return b;
  }

  @Test
  void refusalsChangeNothing() throws IOException {
    Path ext = dir.resolve("ext.qcow2");
    Qcow2Image.create(ext, CreateOptions.builder(1 << 20).extendedL2(true).build()).close();
    Path r8 = dir.resolve("r8.qcow2");
    Qcow2Image.create(r8, CreateOptions.builder(1 << 20).refcountBits(8).build()).close();
    Path v2 = dir.resolve("v2.qcow2");
    Qcow2Image.create(v2, CreateOptions.builder(1 << 20).version(2).build()).close();
    refused(ext, AmendOptions.builder(ext).version(2),
        "Cannot downgrade an image with incompatible features 0x10 set");
    refused(r8, AmendOptions.builder(r8).version(2), "compat=0.10 requires refcount_bits=16");
    refused(v2, AmendOptions.builder(v2).lazyRefcounts(true), "Lazy refcounts only supported "
        + "with compatibility level 1.1 and above (use compat=1.1 or greater)");
    refused(v2, AmendOptions.builder(v2).refcountBits(8), "Refcount widths other than 16 bits "
        + "require compatibility level 1.1 or above (use compat=1.1 or greater)");
    refused(r8, AmendOptions.builder(r8).refcountBits(3),
        "Refcount width must be a power of two and may not exceed 64 bits");
    refused(r8, AmendOptions.builder(r8).backingFile("x"), "Cannot amend the backing file");
    refused(r8, AmendOptions.builder(r8).dataFile("x"),
        "data-file can only be set for images that use an external data file");
    refused(r8, AmendOptions.builder(r8).dataFileRaw(true),
        "data-file-raw cannot be set on existing images");
    refused(r8, AmendOptions.builder(r8).size(1000), "The new size must be a multiple of 512");
  }

  private static void refused(Path p, AmendOptions.Builder b, String message)
      throws IOException {
    byte[] before = Files.readAllBytes(p);
    Qcow2Exception e = assertThrows(Qcow2Exception.class, () -> ImageOperations.amend(b.build()));
    assertEquals(message, e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(p), message);
  }

  @Test
  void aCancelledWidthChangeLeavesAValidImage() throws IOException {
    Path p = image(CreateOptions.builder(4 << 20).clusterSize(512).build(), 11);
    byte[] before = contents(p);
    ProgressListener cancel = new ProgressListener() {
      @Override
      public void progress(long done, long total) {}

      @Override
      public boolean cancelled() {
        return true;
      }
    };
    assertThrows(InterruptedIOException.class, () -> ImageOperations.amend(
        AmendOptions.builder(p).refcountBits(8).build(), cancel));
    assertArrayEquals(before, contents(p));
    CheckResult c = Qcow2Image.check(p, CheckOptions.check());
    assertEquals(0, c.checkErrors() + c.corruptions(), c.toString());
  }

  @Test
  void resizeShrinksUnderSnapshotsOfAV3ImageAndTrimsTheFile() throws IOException {
    Path p = image(CreateOptions.builder(4 << 20).clusterSize(4096).build(), 13);
    byte[] before = contents(p);
    ResizeResult r = ImageOperations.resize(ResizeOptions.to(p, 1 << 20).withShrink(true));
    assertEquals(1 << 20, r.newSize());
    assertArrayEquals(java.util.Arrays.copyOf(before, 1 << 20), contents(p));
    assertEquals(Files.size(p), r.fileSize());
    clean(p, "shrunk");
    Qcow2Exception e = assertThrows(Qcow2Exception.class,
        () -> ImageOperations.resize(ResizeOptions.to(p, 512 << 10)));
    assertEquals("Use the --shrink option to perform a shrink operation.", e.getMessage());
  }

  @Test
  void resizePreallocatesWhatItAdds() throws IOException {
    for (Preallocation mode : Preallocation.values()) {
      Path p = dir.resolve("p-" + mode + ".qcow2");
      Qcow2Image.create(p, CreateOptions.builder(1 << 20).build()).close();
      long file = Files.size(p);
      ImageOperations.resize(ResizeOptions.by(p, 1 << 20).withPreallocation(mode));
      byte[] b = contents(p);
      assertEquals(2 << 20, b.length);
      assertArrayEquals(new byte[2 << 20], b, mode.toString());
      clean(p, mode.toString());
      assertEquals(mode != Preallocation.OFF, Files.size(p) >= file + (1 << 20), mode + ": "
          + Files.size(p));
      if (mode != Preallocation.OFF) {
        Qcow2Exception e = assertThrows(Qcow2Exception.class, () -> ImageOperations.resize(
            ResizeOptions.to(p, 2 << 20).withPreallocation(mode)));
        assertEquals("Preallocation can only be used for growing images", e.getMessage());
      }
    }
  }
}
