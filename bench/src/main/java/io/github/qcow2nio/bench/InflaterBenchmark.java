package io.github.qcow2nio.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
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
 * One qcow2 compressed cluster inflated (raw deflate, 64 KiB clusters, the streams {@code
 * qemu-img convert -c -o compression_type=zlib} wrote for the bench's text), by {@code
 * java.util.zip.Inflater} ({@code jdk}) and by Intel's GKL ({@code gkl}: {@code IntelInflater},
 * ISA-L's inflate, which extends {@code Inflater}; the bench jar carries it, bench/pom.xml):
 *
 * <pre>
 * java -cp qcow2-bench.jar org.openjdk.jmh.Main InflaterBenchmark
 * </pre>
 *
 * Each stream is inflated into a buffer of one cluster, as the read path does, and checked once
 * against the text in the setup: a candidate that inflates differently fails there.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InflaterBenchmark {
  private static final int CLUSTER = 65536;
  private static final int CLUSTERS = 64;

  @Param({"jdk", "gkl"})
  public String inflater;

  private Path dir;
  private Inflater impl;
  private final List<byte[]> streams = new ArrayList<>();
  private final byte[] out = new byte[CLUSTER];
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("qcow2-inflate");
    Path text = dir.resolve("text.raw");
    Path image = dir.resolve("deflate.qcow2");
    ReferenceImages.writeText(text, (long) CLUSTERS * CLUSTER);
    Proc.run(List.of("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o",
        "compression_type=zlib,cluster_size=" + CLUSTER, text.toString(), image.toString()));
    byte[] plain = Files.readAllBytes(text);
    readStreams(image);
    if (streams.size() != CLUSTERS) {
      throw new IllegalStateException("expected " + CLUSTERS + " compressed clusters, found "
          + streams.size());
    }
    impl = create(inflater);
    for (int i = 0; i < CLUSTERS; i++) {
      inflateOne(i);
      if (!Arrays.equals(out, 0, CLUSTER, plain, i * CLUSTER, (i + 1) * CLUSTER)) {
        throw new IllegalStateException(inflater + " inflated cluster " + i + " wrongly");
      }
    }
  }

  static Inflater create(String name) throws ReflectiveOperationException {
    if (name.equals("jdk")) {
      return new Inflater(true);
    }
    if (name.equals("gkl")) {
      Class<?> c = Class.forName("com.intel.gkl.compression.IntelInflater");
      Inflater inf = (Inflater) c.getConstructor(boolean.class).newInstance(true);
      // GKL unpacks its native library into a temporary directory (null: java.io.tmpdir).
      if (!(Boolean) c.getMethod("load", java.io.File.class).invoke(inf, (Object) null)) {
        throw new IllegalStateException("GKL's native inflater does not load here");
      }
      return inf;
    }
    throw new IllegalArgumentException(name);
  }

  /** The compressed streams, in guest order, as qcow2's L2 entries describe them. */
  private void readStreams(Path image) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      ByteBuffer header = read(ch, 0, 48);
      int clusterBits = header.getInt(20);
      int l1Size = header.getInt(36);
      long l1Offset = header.getLong(40);
      int offsetBits = 62 - (clusterBits - 8);
      ByteBuffer l1 = read(ch, l1Offset, 8 * l1Size);
      for (int i = 0; i < l1Size; i++) {
        long l2Offset = l1.getLong(8 * i) & 0x00fffffffffffe00L;
        if (l2Offset == 0) {
          continue;
        }
        ByteBuffer l2 = read(ch, l2Offset, 1 << clusterBits);
        for (int j = 0; j < (1 << clusterBits) / 8; j++) {
          long e = l2.getLong(8 * j);
          if ((e & (1L << 62)) == 0) {
            continue;
          }
          long host = e & ((1L << offsetBits) - 1);
          long sectors = ((e >>> offsetBits) & ((1L << (clusterBits - 8)) - 1)) + 1;
          int length = (int) (sectors * 512 - (host & 511));
          ByteBuffer b = read(ch, host, length);
          streams.add(Arrays.copyOf(b.array(), b.limit()));
        }
      }
    }
  }

  private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
      // A compressed stream may end at the end of the file, short of its last sector.
    }
    return b.flip();
  }

  private void inflateOne(int i) throws DataFormatException {
    byte[] in = streams.get(i);
    impl.reset();
    impl.setInput(in, 0, in.length);
    int n = 0;
    while (n < CLUSTER) {
      int got = impl.inflate(out, n, CLUSTER - n);
      if (got == 0 && (impl.finished() || impl.needsInput())) {
        break;
      }
      n += got;
    }
    if (n != CLUSTER) {
      throw new DataFormatException("cluster " + i + ": " + n + " bytes");
    }
  }

  /** One cluster inflated; the clusters taken in turn. */
  @Benchmark
  public int inflateCluster() throws DataFormatException {
    int i = next;
    next = (i + 1) % CLUSTERS;
    inflateOne(i);
    return out[i];
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    impl.end();
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }
}
