package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.BitmapOptions;
import io.github.qcow2nio.format.BitmapResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bitmap operations through the library ({@link Qcow2Image#editBitmap}): what they leave,
 * read back by a fresh open; QEMU's refusals; a seeded random sequence of operations and writes
 * against a model of every bitmap's bits.
 */
class BitmapEditTest {
  private static final long SIZE = 4 << 20;

  @TempDir Path dir;

  private Path created(String name, CreateOptions o) throws IOException {
    Path p = dir.resolve(name);
    Qcow2Image.create(p, o).close();
    return p;
  }

  private static Qcow2Image rw(Path p) throws IOException {
    return Qcow2Image.open(p, OpenOptions.readWrite());
  }

  static BitSet bits(Qcow2Image image, String name) throws IOException {
    BitmapDirectoryEntry e = image.bitmaps().stream().filter(b -> b.name().equals(name))
        .findFirst().orElseThrow();
    byte[] b = DirtyBitmap.load(image.hostFile(), image.header().clusterBits(), e,
        image.disk().size()).bytes();
    return BitSet.valueOf(b);
  }

  private static void write(Qcow2Image image, long offset, int length, int seed)
      throws IOException {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    image.disk().write(ByteBuffer.wrap(data), offset);
  }

  @Test
  void addedBitmapsTrackWritesAndSurviveReopening() throws IOException {
    Path p = created("a.qcow2", CreateOptions.defaults(SIZE));
    try (Qcow2Image img = rw(p)) {
      img.editBitmap(BitmapOptions.builder("on").add().build());
      BitmapResult r = img.editBitmap(BitmapOptions.builder("fine").add().granularity(512)
          .disabled(true).build());
      assertEquals(List.of("on", "fine"), r.bitmaps().stream().map(BitmapDirectoryEntry::name)
          .toList());
      write(img, 100_000, 70_000, 1);
      write(img, 3 << 20, 512, 2);
    }
    try (Qcow2Image img = Qcow2Image.open(p)) {
      assertTrue(img.header().hasBitmaps());
      BitmapDirectoryEntry on = img.bitmaps().get(0);
      BitmapDirectoryEntry fine = img.bitmaps().get(1);
      assertEquals(16, on.granularityBits());
      assertTrue(on.auto());
      assertFalse(fine.auto());
      assertEquals(9, fine.granularityBits());
      BitSet expected = new BitSet();
      expected.set(100_000 >> 16, (170_000 - 1 >> 16) + 1);
      expected.set(3 << 4);
      assertEquals(expected, bits(img, "on"));
      assertTrue(bits(img, "fine").isEmpty());
    }
  }

  @Test
  void mergeClearEnableDisableAndRemove() throws IOException {
    Path p = created("m.qcow2", CreateOptions.defaults(SIZE));
    try (Qcow2Image img = rw(p)) {
      img.editBitmap(BitmapOptions.builder("src").add().granularity(65536).build());
      img.editBitmap(BitmapOptions.builder("dst").add().granularity(4096).disabled(true)
          .build());
      write(img, 70_000, 1000, 3);
      img.disk().flush();
      img.editBitmap(BitmapOptions.builder("dst").merge("src").enable().build());
      BitSet dst = bits(img, "dst");
      BitSet expected = new BitSet();
      expected.set(16, 32);
      assertEquals(expected, dst);
      assertTrue(img.bitmaps().get(1).auto());
      img.editBitmap(BitmapOptions.builder("src").clear().disable().build());
      assertTrue(bits(img, "src").isEmpty());
      assertFalse(img.bitmaps().get(0).auto());
      write(img, 0, 10, 4);
      img.editBitmap(BitmapOptions.builder("src").remove().build());
      assertEquals(List.of("dst"), img.bitmaps().stream().map(BitmapDirectoryEntry::name)
          .toList());
    }
    try (Qcow2Image img = Qcow2Image.open(p)) {
      BitSet expected = new BitSet();
      expected.set(0);
      expected.set(16, 32);
      assertEquals(expected, bits(img, "dst"));
    }
    try (Qcow2Image img = rw(p)) {
      img.editBitmap(BitmapOptions.builder("dst").remove().build());
      assertTrue(img.bitmaps().isEmpty());
    }
    try (Qcow2Image img = Qcow2Image.open(p)) {
      assertFalse(img.header().hasBitmaps());
      assertTrue(img.extensions().bitmaps().isEmpty());
    }
  }

  @Test
  void refusalsInQemuWords() throws IOException {
    Path p = created("r.qcow2", CreateOptions.defaults(SIZE));
    Path v2 = created("v2.qcow2", CreateOptions.builder(SIZE).version(2).build());
    try (Qcow2Image img = rw(p)) {
      img.editBitmap(BitmapOptions.builder("b").add().build());
      assertEquals("Operation add on bitmap b failed: Bitmap already exists: b",
          refusal(img, BitmapOptions.builder("b").add().build()));
      assertEquals("Operation add on bitmap x failed: Granularity must be power of 2 and at "
          + "least 512", refusal(img, BitmapOptions.builder("x").add().granularity(256).build()));
      assertEquals("Operation add on bitmap x failed: Granularity must be power of 2 and at "
          + "least 512", refusal(img, BitmapOptions.builder("x").add().granularity(3072).build()));
      assertEquals("Operation add on bitmap  failed: Bitmap name cannot be empty",
          refusal(img, BitmapOptions.builder("").add().build()));
      String longName = "n".repeat(1024);
      assertTrue(refusal(img, BitmapOptions.builder(longName).add().build())
          .endsWith("': Name length exceeds maximum (1023 characters)"));
      for (BitmapOptions o : List.of(BitmapOptions.builder("zz").remove().build(),
          BitmapOptions.builder("zz").clear().build(),
          BitmapOptions.builder("zz").enable().build())) {
        assertTrue(refusal(img, o).endsWith(" on bitmap zz failed: Dirty bitmap 'zz' not found"));
      }
      assertEquals("Operation merge on bitmap b failed: Dirty bitmap 'nope' not found",
          refusal(img, BitmapOptions.builder("b").merge("nope").build()));
      // The actions before a failed one are kept, as qemu-img keeps them.
      refusal(img, BitmapOptions.builder("kept").add().merge("nope").build());
      assertEquals(List.of("b", "kept"), img.bitmaps().stream()
          .map(BitmapDirectoryEntry::name).toList());
    }
    try (Qcow2Image img = rw(v2)) {
      assertTrue(refusal(img, BitmapOptions.builder("a").add().build())
          .endsWith("': Cannot store dirty bitmaps in qcow2 v2 files"));
    }
    try (Qcow2Image img = Qcow2Image.open(p)) {
      assertThrows(io.github.qcow2nio.format.error.ReadOnlyDiskException.class,
          () -> img.editBitmap(BitmapOptions.builder("c").add().build()));
    }
  }

  /** An inconsistent (in-use) bitmap: only removing it is allowed, as in QEMU. */
  @Test
  void inconsistentBitmapsOnlyGo() throws IOException {
    Path p = created("u.qcow2", CreateOptions.defaults(SIZE));
    try (Qcow2Image img = rw(p)) {
      img.editBitmap(BitmapOptions.builder("a").add().build());
      img.editBitmap(BitmapOptions.builder("b").add().build());
    }
    io.github.qcow2nio.format.write.BitmapWriteTestAccess.markInUse(p, "a");
    String inconsistent = "Bitmap 'a' is inconsistent and cannot be used\n"
        + "Try block-dirty-bitmap-remove to delete this bitmap from disk";
    try (Qcow2Image img = rw(p)) {
      for (BitmapOptions o : List.of(BitmapOptions.builder("a").clear().build(),
          BitmapOptions.builder("a").enable().build(),
          BitmapOptions.builder("a").disable().build(),
          BitmapOptions.builder("b").merge("a").build())) {
        assertTrue(refusal(img, o).endsWith(" failed: " + inconsistent), o.toString());
      }
      assertEquals("Operation add on bitmap a failed: Bitmap already exists: a",
          refusal(img, BitmapOptions.builder("a").add().build()));
      img.editBitmap(BitmapOptions.builder("a").remove().build());
      assertEquals(List.of("b"), img.bitmaps().stream().map(BitmapDirectoryEntry::name)
          .toList());
    }
    if (Qemu.available()) {
      QemuImg.Check c = QemuImg.check(p);
      assertTrue(c.consistent(false), c.output());
    }
  }

  private static String refusal(Qcow2Image img, BitmapOptions o) {
    return assertThrows(Qcow2Exception.class, () -> img.editBitmap(o)).getMessage();
  }

  /** The first bitmap of an image with a backing file: the name moves, the chain still reads. */
  @Test
  void firstBitmapBesideABackingFileName() throws IOException {
    // A name long enough to overlap where the extension goes, and to leave bytes behind it.
    String baseName = "base-with-a-name-long-enough-to-overlap-the-new-extension.qcow2";
    Path base = created(baseName, CreateOptions.defaults(SIZE));
    try (Qcow2Image b = rw(base)) {
      write(b, 0, 65536, 5);
    }
    Path top = created("top.qcow2", CreateOptions.builder(SIZE).backingFile(baseName)
        .backingFormat("qcow2").build());
    try (Qcow2Image img = rw(top)) {
      img.editBitmap(BitmapOptions.builder("b").add().build());
      write(img, 1 << 20, 4096, 6);
    }
    try (Qcow2Image img = Qcow2Image.open(top)) {
      assertEquals(baseName, img.backingFile().orElseThrow());
      byte[] expect = new byte[65536];
      new Random(5).nextBytes(expect);
      ByteBuffer got = ByteBuffer.allocate(65536);
      img.disk().read(got, 0);
      assertArrayEquals(expect, got.array());
      BitSet e = new BitSet();
      e.set(16);
      assertEquals(e, bits(img, "b"));
    }
    if (Qemu.available()) {
      assertTrue(QemuImg.check(top).consistent(false), QemuImg.check(top).output());
      String info = Qemu.img("info", top.toString());
      assertTrue(info.contains("backing file: " + baseName), info);
      assertTrue(info.contains("name: b"), info);
    }
  }

  /** Random operations and writes, a model of every bitmap's bits, reopened now and then. */
  @Test
  void randomOperationsAgainstAModel() throws IOException {
    Random rnd = new Random(20261126);
    Path p = created("rand.qcow2", CreateOptions.builder(1 << 20).clusterSize(4096).build());
    java.util.Map<String, BitSet> model = new java.util.LinkedHashMap<>();
    java.util.Map<String, Integer> gran = new java.util.HashMap<>();
    java.util.Map<String, Boolean> on = new java.util.HashMap<>();
    Qcow2Image img = rw(p);
    try {
      for (int step = 0; step < 120; step++) {
        int op = rnd.nextInt(8);
        List<String> names = new ArrayList<>(model.keySet());
        String any = names.isEmpty() ? null : names.get(rnd.nextInt(names.size()));
        if (op == 0 || any == null) {
          String n = "b" + step;
          int g = 9 + rnd.nextInt(8);
          img.editBitmap(BitmapOptions.builder(n).add().granularity(1L << g).build());
          model.put(n, new BitSet());
          gran.put(n, g);
          on.put(n, true);
        } else if (op == 1 && names.size() > 1) {
          img.editBitmap(BitmapOptions.builder(any).remove().build());
          model.remove(any);
        } else if (op == 2) {
          img.editBitmap(BitmapOptions.builder(any).clear().build());
          model.get(any).clear();
        } else if (op == 3) {
          boolean enable = rnd.nextBoolean();
          img.editBitmap(enable ? BitmapOptions.builder(any).enable().build()
              : BitmapOptions.builder(any).disable().build());
          on.put(any, enable);
        } else if (op == 4) {
          String src = names.get(rnd.nextInt(names.size()));
          img.editBitmap(BitmapOptions.builder(any).merge(src).build());
          BitSet s = model.get(src);
          for (int i = s.nextSetBit(0); i >= 0; i = s.nextSetBit(i + 1)) {
            long from = (long) i << gran.get(src);
            long to = Math.min(1 << 20, ((long) i + 1) << gran.get(src)) - 1;
            model.get(any).set((int) (from >> gran.get(any)), (int) (to >> gran.get(any)) + 1);
          }
        } else if (op == 5) {
          img.close();
          img = rw(p);
        } else {
          int off = rnd.nextInt(1 << 20);
          int len = 1 + rnd.nextInt(Math.min(20000, (1 << 20) - off));
          write(img, off, len, step);
          for (String n : names) {
            if (on.get(n)) {
              model.get(n).set(off >> gran.get(n), ((off + len - 1) >> gran.get(n)) + 1);
            }
          }
        }
        if (step % 10 == 9) {
          img.disk().flush();
          for (String n : model.keySet()) {
            assertEquals(model.get(n), bits(img, n), "step " + step + ", bitmap " + n);
          }
        }
      }
    } finally {
      img.close();
    }
    try (Qcow2Image r = Qcow2Image.open(p)) {
      assertEquals(new ArrayList<>(model.keySet()), r.bitmaps().stream()
          .map(BitmapDirectoryEntry::name).toList());
      for (String n : model.keySet()) {
        assertEquals(model.get(n), bits(r, n), n);
      }
    }
    if (Qemu.available()) {
      QemuImg.Check c = QemuImg.check(p);
      assertTrue(c.consistent(false), c.output());
    }
  }

  @Tag("qemu")
  @Test
  void qemuReadsWhatWeWrote() throws IOException {
    Qemu.assumeAvailable();
    Path p = created("q.qcow2", CreateOptions.builder(SIZE).clusterSize(65536).build());
    try (Qcow2Image img = rw(p)) {
      img.editBitmap(BitmapOptions.builder("a").add().granularity(4096).build());
      img.editBitmap(BitmapOptions.builder("d").add().disabled(true).build());
      write(img, 8192, 100_000, 9);
    }
    Path copy = dir.resolve("copy.qcow2");
    Qemu.img("convert", "--bitmaps", "-O", "qcow2", p.toString(), copy.toString());
    try (Qcow2Image a = Qcow2Image.open(p); Qcow2Image b = Qcow2Image.open(copy)) {
      assertEquals(bits(a, "a"), bits(b, "a"));
      assertFalse(bits(b, "a").isEmpty());
      assertTrue(bits(b, "d").isEmpty());
      assertEquals(a.bitmaps().stream().map(e -> e.name() + e.flags() + e.granularityBits())
          .toList(), b.bitmaps().stream().map(e -> e.name() + e.flags() + e.granularityBits())
          .toList());
    }
    assertTrue(QemuImg.check(p).consistent(false), QemuImg.check(p).output());
  }
}
