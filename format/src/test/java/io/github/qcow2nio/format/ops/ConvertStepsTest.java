package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy loop of convert over a real chain (a base image and an overlay with data, zero
 * clusters and unallocated ranges), with the source disk and the target seen through wrappers:
 * the copy reads exactly what the chain reports as data and nothing it reports as zeros or
 * unallocated, writes every byte, and a source or target failing mid-way fails the call with
 * its own error after the steps before it, leaving no reader thread behind.
 */
class ConvertStepsTest {
  private static final int SIZE = 8 << 20;
  @TempDir Path dir;

  /** Reads of a disk, recorded; the read numbered {@code failAt} (from 0) fails. */
  private static final class WatchedDisk implements VirtualDisk {
    final VirtualDisk disk;
    final List<long[]> reads = new ArrayList<>();
    final int failAt;

    WatchedDisk(VirtualDisk disk, int failAt) {
      this.disk = disk;
      this.failAt = failAt;
    }

    @Override
    public long size() {
      return disk.size();
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
      if (reads.size() == failAt) {
        throw new IOException("source failed at " + offset);
      }
      reads.add(new long[] {offset, dst.remaining()});
      return disk.read(dst, offset);
    }

    @Override
    public String name() {
      return "watched";
    }

    @Override
    public void close() {}

    @Override
    public Extent blockStatus(long offset, long maxLength) throws IOException {
      return disk.blockStatus(offset, maxLength);
    }
  }

  /** A target in memory that reads as zeros; the write numbered {@code failAt} fails. */
  private static final class MemoryTarget implements VirtualDisk {
    final byte[] bytes = new byte[SIZE];
    final int failAt;
    int writes;

    MemoryTarget(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public long size() {
      return SIZE;
    }

    @Override
    public int read(ByteBuffer dst, long offset) {
      int n = dst.remaining();
      dst.put(bytes, (int) offset, n);
      return n;
    }

    @Override
    public String name() {
      return "memory";
    }

    @Override
    public void close() {}

    @Override
    public Extent blockStatus(long offset, long maxLength) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void write(ByteBuffer src, long offset) throws IOException {
      if (writes++ == failAt) {
        throw new IOException("target failed at " + offset);
      }
      src.get(bytes, (int) offset, src.remaining());
    }

    @Override
    public void writeZeros(long offset, long length) throws IOException {
      if (writes++ == failAt) {
        throw new IOException("target failed at " + offset);
      }
      Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
    }
  }

  /** base: data in [0, 1M) and [3M, 4M); overlay: data, zero clusters over base data, a hole. */
  private Path chain(byte[] model) throws IOException {
    Random r = new Random(13);
    Path base = dir.resolve("base.qcow2");
    try (Qcow2Image image = Qcow2Image.create(base, CreateOptions.builder(SIZE).build())) {
      put(image.disk(), model, r, 0, 1 << 20);
      put(image.disk(), model, r, 3 << 20, 1 << 20);
    }
    Path top = dir.resolve("top.qcow2");
    try (Qcow2Image image = Qcow2Image.create(top, CreateOptions.builder(SIZE)
        .backingFile(base.toString()).backingFormat("qcow2").build())) {
      put(image.disk(), model, r, 512 << 10, 1 << 20);
      image.disk().writeZeros(3 << 20, 256 << 10);
      Arrays.fill(model, 3 << 20, (3 << 20) + (256 << 10), (byte) 0);
      put(image.disk(), model, r, (6 << 20) + 1000, 100_000);
    }
    return top;
  }

  private static void put(VirtualDisk disk, byte[] model, Random r, int at, int len)
      throws IOException {
    byte[] b = new byte[len];
    r.nextBytes(b);
    disk.write(ByteBuffer.wrap(b), at);
    System.arraycopy(b, 0, model, at, len);
  }

  private static ConvertSteps steps(Qcow2Image image, WatchedDisk disk, int cluster) {
    return new ConvertSteps(new ChainStatus(SourceChain.of(image)), disk, SIZE,
        Math.max(Convert.CHUNK, cluster), 4096, false, cluster);
  }

  /** The bytes the chain reports as data, one flag per byte. */
  private static boolean[] dataBytes(Qcow2Image image) throws IOException {
    ChainStatus status = new ChainStatus(SourceChain.of(image));
    boolean[] data = new boolean[SIZE];
    for (long at = 0; at < SIZE; ) {
      ChainStatus.Run run = status.at(at, SIZE - at);
      if (run.data()) {
        Arrays.fill(data, (int) at, (int) run.end(), true);
      }
      at = run.end();
    }
    return data;
  }

  private static void assertNoReaderLeft() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertFalse(t.getName().equals(CopyPipeline.THREAD_NAME) && t.isAlive(),
          "a reader thread outlived the copy");
    }
  }

  @Test
  void readsWhatTheChainReportsAsDataAndNothingElse() throws IOException {
    byte[] model = new byte[SIZE];
    try (Qcow2Image image = Qcow2Image.open(chain(model), OpenOptions.readOnly())) {
      boolean[] data = dataBytes(image);
      WatchedDisk source = new WatchedDisk(image.disk(), -1);
      MemoryTarget target = new MemoryTarget(-1);
      Convert.copy(steps(image, source, 0), target, SIZE, 4096, true, null, (d, t) -> { });
      assertArrayEquals(model, target.bytes);
      boolean[] read = new boolean[SIZE];
      for (long[] r : source.reads) {
        for (long i = r[0]; i < r[0] + r[1]; i++) {
          assertTrue(data[(int) i], "read a byte the chain reports as zero or unallocated: " + i);
          assertFalse(read[(int) i], "read a byte twice: " + i);
          read[(int) i] = true;
        }
      }
      assertArrayEquals(data, read, "every data byte read once");
      int dataCount = 0;
      for (boolean b : data) {
        dataCount += b ? 1 : 0;
      }
      assertTrue(dataCount < SIZE / 2, "the chain holds holes and zeros: " + dataCount);
      assertNoReaderLeft();
    }
  }

  @Test
  void aCompressingCopyReadsWholeClustersHoldingData() throws IOException {
    byte[] model = new byte[SIZE];
    try (Qcow2Image image = Qcow2Image.open(chain(model), OpenOptions.readOnly())) {
      boolean[] data = dataBytes(image);
      int cluster = 65536;
      WatchedDisk source = new WatchedDisk(image.disk(), -1);
      ConvertSteps steps = steps(image, source, cluster);
      CopyPipeline.Chunk c = new CopyPipeline.Chunk(ByteBuffer.allocateDirect(Convert.CHUNK));
      long next = 0;
      while (steps.next(c)) {
        assertEquals(next, c.offset, "steps are contiguous");
        next = c.offset + c.length;
        if (c.kind == CopyPipeline.Kind.CLUSTERS) {
          assertEquals(0, c.bufferStart % cluster);
          assertEquals(0, c.buffer.remaining() % cluster);
          for (int at = 0; at < c.buffer.remaining(); at += cluster) {
            boolean any = false;
            for (int i = 0; i < cluster; i++) {
              any |= data[(int) c.bufferStart + at + i];
              assertEquals(model[(int) c.bufferStart + at + i], c.buffer.get(at + i));
            }
            assertTrue(any, "a cluster without data was read at " + (c.bufferStart + at));
          }
        }
      }
      assertEquals(SIZE, next);
      for (long[] r : source.reads) {
        assertEquals(0, r[0] % cluster);
      }
    }
  }

  @Test
  void aSourceFailingMidwayFailsTheCallAfterTheStepsBeforeIt() throws IOException {
    byte[] model = new byte[SIZE];
    try (Qcow2Image image = Qcow2Image.open(chain(model), OpenOptions.readOnly())) {
      WatchedDisk source = new WatchedDisk(image.disk(), 2);
      MemoryTarget target = new MemoryTarget(-1);
      IOException e = assertThrows(IOException.class, () -> Convert.copy(
          steps(image, source, 0), target, SIZE, 4096, true, null, (d, t) -> { }));
      assertTrue(e.getMessage().startsWith("source failed at "), e.getMessage());
      long failedAt = Long.parseLong(e.getMessage().substring("source failed at ".length()));
      assertArrayEquals(Arrays.copyOf(model, (int) failedAt),
          Arrays.copyOf(target.bytes, (int) failedAt), "what was read before was written");
      assertNoReaderLeft();
    }
  }

  @Test
  void aTargetFailingMidwayFailsTheCallAndStopsTheReader() throws IOException {
    byte[] model = new byte[SIZE];
    try (Qcow2Image image = Qcow2Image.open(chain(model), OpenOptions.readOnly())) {
      WatchedDisk source = new WatchedDisk(image.disk(), -1);
      MemoryTarget target = new MemoryTarget(1);
      IOException e = assertThrows(IOException.class, () -> Convert.copy(
          steps(image, source, 0), target, SIZE, 4096, false, null, (d, t) -> { }));
      assertTrue(e.getMessage().startsWith("target failed at "), e.getMessage());
      assertNoReaderLeft();
      assertTrue(source.reads.size() <= 2 + Convert.PIPELINE_DEPTH + 1,
          "the reader stopped within a pool of the failure: " + source.reads.size());
    }
  }

  @Test
  void aCancelledCopyStopsBothSides() throws IOException {
    byte[] model = new byte[SIZE];
    try (Qcow2Image image = Qcow2Image.open(chain(model), OpenOptions.readOnly())) {
      WatchedDisk source = new WatchedDisk(image.disk(), -1);
      MemoryTarget target = new MemoryTarget(-1);
      io.github.qcow2nio.format.ProgressListener cancelAfterTwo =
          new io.github.qcow2nio.format.ProgressListener() {
            int calls;

            @Override
            public void progress(long done, long total) {
              calls++;
            }

            @Override
            public boolean cancelled() {
              return calls > 2;
            }
          };
      IOException e = assertThrows(java.io.InterruptedIOException.class, () -> Convert.copy(
          steps(image, source, 0), target, SIZE, 4096, true, null, cancelAfterTwo));
      assertSame(java.io.InterruptedIOException.class, e.getClass());
      assertNoReaderLeft();
    }
  }
}
