package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The hot read path of an open, fully allocated image: what one {@code VirtualDisk.read} costs
 * and allocates once the L2 tables are cached, beside a raw {@code FileChannel} reading the same
 * bytes at the same offsets from a raw file. Run with {@code -prof gc} (as {@link GcRows} does),
 * {@code gc.alloc.rate.norm} is the bytes allocated per read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotReadBenchmark {
  private static final int OFFSETS = 4096;

  /** The disk's size in MiB; small enough to stay in the page cache, large enough for 8 L2s. */
  @Param("64")
  public int diskMiB;

  private Path dir;
  private Qcow2Image image;
  private VirtualDisk disk;
  private FileChannel raw;
  private final ByteBuffer small = ByteBuffer.allocateDirect(4096);
  private final ByteBuffer large = ByteBuffer.allocateDirect(1 << 20);
  private final long[] randomOffsets = new long[OFFSETS];
  private int nextRandom;
  private long nextSequential;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    long size = (long) diskMiB << 20;
    dir = Files.createTempDirectory("qcow2-jmh");
    Path path = dir.resolve("hot.qcow2");
    Path rawPath = dir.resolve("hot.raw");
    SplittableRandom rnd = new SplittableRandom(5);
    try (Qcow2Image created = Qcow2Image.create(new PathLocation(path),
        CreateOptions.defaults(size), OpenOptions.readWrite());
        FileChannel rawOut = FileChannel.open(rawPath, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      VirtualDisk d = created.disk();
      for (long off = 0; off < size; off += large.capacity()) {
        large.clear();
        while (large.hasRemaining()) {
          large.putLong(rnd.nextLong());
        }
        d.write(large.flip(), off);
        large.flip();
        while (large.hasRemaining()) {
          rawOut.write(large, off + large.position());
        }
      }
      d.flush();
    }
    image = Qcow2Image.open(path);
    disk = image.disk();
    raw = FileChannel.open(rawPath);
    for (int i = 0; i < OFFSETS; i++) {
      randomOffsets[i] = rnd.nextLong(size / 4096) * 4096;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    image.close();
    raw.close();
    Files.deleteIfExists(dir.resolve("hot.qcow2"));
    Files.deleteIfExists(dir.resolve("hot.raw"));
    Files.deleteIfExists(dir);
  }

  /** One 4 KiB read at a random cluster-aligned offset. */
  @Benchmark
  public int random4k() throws IOException {
    int i = nextRandom;
    nextRandom = (i + 1) & (OFFSETS - 1);
    return disk.read(small.clear(), randomOffsets[i]);
  }

  /**
   * The reference for {@link #random4k}: the same offsets, in the same order, read from the raw
   * file with the same bytes, looping on a short read as our read does.
   */
  @Benchmark
  public int raw4k() throws IOException {
    int i = nextRandom;
    nextRandom = (i + 1) & (OFFSETS - 1);
    ByteBuffer b = small.clear();
    long off = randomOffsets[i];
    while (b.hasRemaining() && raw.read(b, off + b.position()) > 0) {
      // until full, or the end of the file
    }
    return b.position();
  }

  /** One 1 MiB read, the next one along the disk (wrapping at its end). */
  @Benchmark
  public int sequential1m() throws IOException {
    long off = nextSequential;
    nextSequential = off + large.capacity() >= disk.size() ? 0 : off + large.capacity();
    return disk.read(large.clear(), off);
  }
}
