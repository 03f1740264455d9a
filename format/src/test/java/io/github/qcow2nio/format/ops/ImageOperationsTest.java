package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CompareOptions;
import io.github.qcow2nio.format.CompareResult;
import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.ConvertResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.MeasureOptions;
import io.github.qcow2nio.format.MeasureResult;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Convert, measure and compare as library calls, without qemu-img: seeded random contents
 * checked against a byte model through conversions in every direction, compare's answers at
 * known differences, measure's arithmetic at values qemu-img 7.2 printed, cancellation. The
 * examples module runs the same operations against qemu-img itself.
 */
class ImageOperationsTest {
  private static final int SIZE = 6 << 20;
  @TempDir Path dir;

  /** A v3 image with seeded writes and zero writes; {@code model} gets the same bytes. */
  private Path source(byte[] model, long seed) throws IOException {
    Path p = dir.resolve("src-" + seed + ".qcow2");
    Random r = new Random(seed);
    try (Qcow2Image image = Qcow2Image.create(p, CreateOptions.builder(SIZE)
        .clusterSize(16384).build())) {
      VirtualDisk disk = image.disk();
      for (int i = 0; i < 40; i++) {
        int at = r.nextInt(SIZE - 70000);
        int len = 1 + r.nextInt(65536);
        if (i % 5 == 4) {
          disk.writeZeros(at & ~511L, len & ~511L);
          java.util.Arrays.fill(model, at & ~511, (at & ~511) + (len & ~511), (byte) 0);
        } else {
          byte[] b = new byte[len];
          r.nextBytes(b);
          disk.write(ByteBuffer.wrap(b), at);
          System.arraycopy(b, 0, model, at, len);
        }
      }
    }
    return p;
  }

  private static byte[] read(Path image, String format) throws IOException {
    if (format.equals("raw")) {
      return Files.readAllBytes(image);
    }
    try (Qcow2Image i = Qcow2Image.open(image)) {
      byte[] b = new byte[(int) i.disk().size()];
      i.disk().read(ByteBuffer.wrap(b), 0);
      return b;
    }
  }

  @Test
  void conversionsKeepEveryByte() throws IOException {
    byte[] model = new byte[SIZE];
    Path src = source(model, 1);
    Path raw = dir.resolve("a.raw");
    ConvertResult toRaw = ImageOperations.convert(ConvertOptions.of(ImageSource.of(src), raw,
        "raw"));
    assertArrayEquals(model, read(raw, "raw"));
    assertEquals(SIZE, toRaw.virtualSize());
    assertEquals(SIZE, toRaw.dataBytes() + toRaw.zeroBytes() + toRaw.skippedBytes());
    CreateOptions[] targets = {CreateOptions.defaults(0),
        CreateOptions.builder(0).version(2).clusterSize(512).build(),
        CreateOptions.builder(0).extendedL2(true).refcountBits(1).compressionType(1).build(),
        CreateOptions.builder(0).clusterSize(2 << 20).refcountBits(64).build()};
    for (int t = 0; t < targets.length; t++) {
      Path q = dir.resolve("b" + t + ".qcow2");
      ImageOperations.convert(ConvertOptions.builder(ImageSource.of(raw), q, "qcow2")
          .create(targets[t]).build());
      assertArrayEquals(model, read(q, "qcow2"), "target " + t);
      assertTrue(ImageOperations.compare(new CompareOptions(ImageSource.of(raw),
          ImageSource.of(q), false)).identical());
    }
  }

  @Test
  void sparseSizeDecidesWhatIsWritten() throws IOException {
    byte[] model = new byte[SIZE];
    Path src = source(model, 2);
    Path sparse = dir.resolve("sparse.raw");
    Path full = dir.resolve("full.raw");
    ConvertResult s = ImageOperations.convert(ConvertOptions.of(ImageSource.of(src), sparse,
        "raw"));
    ConvertResult f = ImageOperations.convert(ConvertOptions.builder(ImageSource.of(src), full,
        "raw").sparseSize(0).build());
    assertEquals(SIZE, f.dataBytes(), "-S 0 writes every byte");
    assertTrue(s.dataBytes() < SIZE / 2, "zeros are not written: " + s);
    assertArrayEquals(model, read(sparse, "raw"));
    assertArrayEquals(model, read(full, "raw"));
  }

  @Test
  void noCreateOverwritesAnExistingTarget() throws IOException {
    byte[] model = new byte[SIZE];
    Path src = source(model, 3);
    Path target = dir.resolve("existing.raw");
    byte[] junk = new byte[SIZE + 4096];
    java.util.Arrays.fill(junk, (byte) 0x5a);
    Files.write(target, junk);
    ImageOperations.convert(ConvertOptions.builder(ImageSource.of(src), target, "raw")
        .noCreate(true).build());
    byte[] out = Files.readAllBytes(target);
    assertArrayEquals(model, java.util.Arrays.copyOf(out, SIZE));
    Path small = dir.resolve("small.raw");
    Files.write(small, new byte[4096]);
    IOException e = assertThrows(IOException.class, () -> ImageOperations.convert(
        ConvertOptions.builder(ImageSource.of(src), small, "raw").noCreate(true).build()));
    assertEquals("output file is smaller than input file", e.getMessage());
  }

  @Test
  void compareNamesTheFirstDifferingSector() throws IOException {
    byte[] model = new byte[SIZE];
    Path src = source(model, 4);
    Path raw = dir.resolve("c.raw");
    ImageOperations.convert(ConvertOptions.of(ImageSource.of(src), raw, "raw"));
    int at = 3 * 1048576 + 1234;
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (model[at] + 1)}), at);
    }
    CompareResult r = ImageOperations.compare(new CompareOptions(ImageSource.of(src),
        ImageSource.of(raw), false));
    assertEquals(CompareResult.Outcome.CONTENT_MISMATCH, r.outcome());
    assertEquals(at / 512 * 512, r.offset());
    assertEquals("Content mismatch at offset " + at / 512 * 512 + "!\n", r.message());
    assertEquals(1, r.exitCode());

    // A longer image whose tail is zeros is identical, with qemu-img's warning; strict mode
    // calls the sizes a mismatch.
    Path longer = dir.resolve("longer.raw");
    Path copy = dir.resolve("copy.raw");
    ImageOperations.convert(ConvertOptions.of(ImageSource.of(src), copy, "raw"));
    byte[] bytes = java.util.Arrays.copyOf(Files.readAllBytes(copy), SIZE + 65536);
    Files.write(longer, bytes);
    CompareResult warn = ImageOperations.compare(new CompareOptions(ImageSource.of(src),
        ImageSource.of(longer), false));
    assertEquals("Warning: Image size mismatch!\nImages are identical.\n", warn.message());
    assertEquals(0, warn.exitCode());
    assertEquals("Strict mode: Image size mismatch!\n", ImageOperations.compare(
        new CompareOptions(ImageSource.of(src), ImageSource.of(longer), true)).message());
  }

  @Test
  void measureAsQemuImg72() throws IOException {
    // Values qemu-img 7.2 printed for the same options.
    assertMeasure(393216, 1074135040, 1L << 30, CreateOptions.defaults(0));
    assertMeasure(2138404352, 109512586752L, 100L << 30,
        CreateOptions.builder(0).clusterSize(512).build());
    MeasureResult raw = ImageOperations.measure(new MeasureOptions(null, 1000001, "raw", null));
    assertEquals(1000448, raw.required());
    assertEquals(1000448, raw.fullyAllocated());
    assertThrows(IOException.class, () -> ImageOperations.measure(new MeasureOptions(null,
        1L << 50, "qcow2", CreateOptions.builder(0).clusterSize(512).build())));
  }

  private static void assertMeasure(long required, long full, long size, CreateOptions o)
      throws IOException {
    MeasureResult r = ImageOperations.measure(new MeasureOptions(null, size, "qcow2", o));
    assertEquals(required, r.required());
    assertEquals(full, r.fullyAllocated());
    assertEquals(-1, r.bitmaps());
  }

  @Test
  void aListenerSeesProgressAndCanCancel() throws IOException {
    byte[] model = new byte[SIZE];
    Path src = source(model, 5);
    long[] last = {-1, -1};
    ImageOperations.convert(ConvertOptions.of(ImageSource.of(src), dir.resolve("p.raw"), "raw"),
        (done, total) -> {
          assertTrue(done >= last[0], "progress only grows");
          last[0] = done;
          last[1] = total;
        });
    assertEquals(SIZE, last[0]);
    assertEquals(SIZE, last[1]);
    ProgressListener cancel = new ProgressListener() {
      @Override
      public void progress(long done, long total) {}

      @Override
      public boolean cancelled() {
        return true;
      }
    };
    assertThrows(InterruptedIOException.class, () -> ImageOperations.convert(
        ConvertOptions.of(ImageSource.of(src), dir.resolve("q.raw"), "raw"), cancel));
    assertThrows(InterruptedIOException.class, () -> ImageOperations.compare(
        new CompareOptions(ImageSource.of(src), ImageSource.of(src), false), cancel));
  }
}
