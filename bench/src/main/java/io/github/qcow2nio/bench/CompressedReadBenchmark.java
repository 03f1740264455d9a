package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.SequentialWriter;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * The read path of an open compressed image: one 1 MiB sequential read (16 clusters, which the
 * read-ahead decompresses on the other cores) and one 4 KiB random read (never read ahead). Run
 * with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per read, by every
 * thread, the read-ahead pool's included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CompressedReadBenchmark {
  private static final int OFFSETS = 4096;

  /** 0 deflate, 1 zstd. */
  @Param({"0", "1"})
  public int compressionType;

  @Param("32")
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
    Path path = dir.resolve("compressed.qcow2");
    SplittableRandom rnd = new SplittableRandom(5);
    try (Qcow2Image created = Qcow2Image.create(path,
        CreateOptions.builder(size).compressionType(compressionType).build());
        SequentialWriter w = created.compressedWriter()) {
      // Text, about 3 times smaller compressed, as the speed table's compressed images.
      StringBuilder sb = new StringBuilder();
      String[] words = {"qcow2", "cluster", "refcount", "table", "header", "the", "of", "a"};
      while (sb.length() < size) {
        sb.append(words[rnd.nextInt(words.length)]).append(' ').append(rnd.nextInt(100000))
            .append('\n');
      }
      byte[] text = sb.toString().getBytes(StandardCharsets.US_ASCII);
      w.write(ByteBuffer.wrap(text, 0, (int) size));
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
    Files.deleteIfExists(dir.resolve("compressed.qcow2"));
    Files.deleteIfExists(dir);
  }

  /** One 4 KiB read at a random offset: a cluster decompressed for it alone. */
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
