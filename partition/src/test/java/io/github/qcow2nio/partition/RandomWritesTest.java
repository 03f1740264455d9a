package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random reads and writes through every partition, checked against a byte-array model of
 * the whole disk: writes land where the table says, reads see them, nothing crosses a partition's
 * end, and the table and the space between partitions never change.
 */
class RandomWritesTest {
  static final int MIB = 1 << 20;

  @TempDir
  Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomOperationsMatchAModel(long seed) throws IOException {
    Random r = new Random(seed);
    Path disk = dir.resolve("disk.img");
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      // Aliases both schemes know.
      List<PartitionSpec> specs = List.of(PartitionSpec.of(MIB, "linux"),
          PartitionSpec.of(2 * MIB, "linux"), PartitionSpec.of(MIB, "linux"),
          PartitionSpec.of(MIB, "swap"), PartitionSpec.of(MIB, "linux"),
          PartitionSpec.rest("msdata"));
      if (seed % 2 == 0) {
        PartitionTables.createGpt(ch, 12 * MIB, 512, specs);
      } else {
        PartitionTables.createMbr(ch, 12 * MIB, 512, specs);
      }
    }
    byte[] model = Files.readAllBytes(disk);
    try (FileSystem fs = FileSystems.newFileSystem(disk)) {
      List<Partition> parts = new ArrayList<>(((PartitionFileSystem) fs).table().partitions());
      parts.removeIf(p -> p.kind() == Partition.Kind.EXTENDED); // its first sector is an EBR
      List<FileChannel> channels = new ArrayList<>();
      for (Partition p : parts) {
        channels.add(FileChannel.open(fs.getPath("/" + p.number()), StandardOpenOption.READ,
            StandardOpenOption.WRITE));
      }
      for (int op = 0; op < 3000; op++) {
        int i = r.nextInt(parts.size());
        Partition p = parts.get(i);
        FileChannel ch = channels.get(i);
        long pos = r.nextBoolean() ? r.nextLong(p.size())
            : Math.max(0, p.size() - r.nextInt(5000));
        int len = 1 + r.nextInt(9000);
        String where = "seed " + seed + " op " + op + " /" + p.number() + " at " + pos;
        if (r.nextBoolean()) {
          byte[] b = new byte[len];
          r.nextBytes(b);
          if (pos + len > p.size()) {
            assertThrows(FileSystemException.class, () -> ch.write(ByteBuffer.wrap(b), pos),
                where);
          } else {
            assertEquals(len, ch.write(ByteBuffer.wrap(b), pos), where);
            System.arraycopy(b, 0, model, (int) (p.start() + pos), len);
          }
        } else {
          ByteBuffer got = ByteBuffer.allocate(len);
          int n = ch.read(got, pos);
          int want = (int) Math.min(len, p.size() - pos);
          assertEquals(want == 0 ? -1 : want, n, where);
          byte[] expected = new byte[Math.max(0, n)];
          System.arraycopy(model, (int) (p.start() + pos), expected, 0, expected.length);
          byte[] actual = new byte[Math.max(0, n)];
          System.arraycopy(got.array(), 0, actual, 0, actual.length);
          assertArrayEquals(expected, actual, where);
        }
      }
    }
    assertArrayEquals(model, Files.readAllBytes(disk), "seed " + seed + ": the disk file");
  }

  /** Positional writes and reads from several threads on one partition channel. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7})
  void parallelPositionalIoOnOneChannel(long seed) throws Exception {
    Path disk = ProviderTest.gptDisk(dir.resolve("p.img"), 8 * MIB);
    int threads = 4;
    int slice = 512 * 1024 / threads;
    byte[][] written = new byte[threads][slice];
    try (FileSystem fs = FileSystems.newFileSystem(disk);
        FileChannel ch = FileChannel.open(fs.getPath("/2"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          futures.add(pool.submit(() -> {
            Random r = new Random(seed * 31 + id);
            for (int k = 0; k < 200; k++) {
              int off = r.nextInt(slice - 100);
              byte[] b = new byte[1 + r.nextInt(100)];
              r.nextBytes(b);
              ch.write(ByteBuffer.wrap(b), (long) id * slice + off);
              System.arraycopy(b, 0, written[id], off, b.length);
              ByteBuffer back = ByteBuffer.allocate(b.length);
              ch.read(back, (long) id * slice + off);
              assertArrayEquals(b, back.array(), "thread " + id + " write " + k);
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      for (int t = 0; t < threads; t++) {
        ByteBuffer all = ByteBuffer.allocate(slice);
        ch.read(all, (long) t * slice);
        assertArrayEquals(written[t], all.array(), "slice of thread " + t);
      }
    }
  }
}
