package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * and allocates once the L2 tables are cached. Run with {@code -prof gc} (as {@link GcRows}
 * does), {@code gc.alloc.rate.norm} is the bytes allocated per read.
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
    SplittableRandom rnd = new SplittableRandom(5);
    try (Qcow2Image created = Qcow2Image.create(new PathLocation(path),
        CreateOptions.defaults(size), OpenOptions.readWrite())) {
      VirtualDisk d = created.disk();
      for (long off = 0; off < size; off += large.capacity()) {
        large.clear();
        while (large.hasRemaining()) {
          large.putLong(rnd.nextLong());
        }
        d.write(large.flip(), off);
      }
      d.flush();
    }
    image = Qcow2Image.open(path);
    disk = image.disk();
    for (int i = 0; i < OFFSETS; i++) {
      randomOffsets[i] = rnd.nextLong(size / 4096) * 4096;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    image.close();
    Files.deleteIfExists(dir.resolve("hot.qcow2"));
    Files.deleteIfExists(dir);
  }

  /** One 4 KiB read at a random cluster-aligned offset. */
  @Benchmark
  public int random4k() throws IOException {
    int i = nextRandom;
    nextRandom = (i + 1) & (OFFSETS - 1);
    return disk.read(small.clear(), randomOffsets[i]);
  }

  /** One 1 MiB read, the next one along the disk (wrapping at its end). */
  @Benchmark
  public int sequential1m() throws IOException {
    long off = nextSequential;
    nextSequential = off + large.capacity() >= disk.size() ? 0 : off + large.capacity();
    return disk.read(large.clear(), off);
  }
}
