package io.github.qcow2nio.format.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decompression ahead of a sequential reader ({@link ReadAhead}): what it hands over is exactly
 * what the reader would have decompressed itself, writes between reads never leave a stale copy
 * to be served, a cluster that fails to decompress fails only the read of that cluster, and a
 * random reader never starts it. The pool's pace is never guessed: {@link ReadAhead#quiesce}
 * waits until every scheduled cluster is done, so each assertion on what was read ahead holds on
 * every run.
 */
class ReadAheadTest {
  private static final int CLUSTER = 64 * 1024;
  private static final int CLUSTERS = 48;

  @TempDir Path dir;

  /** Compressible and different in every cluster, so a cluster served in the wrong place shows. */
  private static byte[] text(long seed, int bytes) {
    String[] words = {"qcow2", "cluster", "refcount", "table", "header", "snapshot", "backing",
        "deflate", "zstd", "guest", "host", "offset"};
    Random rnd = new Random(seed);
    StringBuilder sb = new StringBuilder(bytes + 16);
    while (sb.length() < bytes) {
      sb.append(words[rnd.nextInt(words.length)]).append(' ').append(rnd.nextInt(1000))
          .append(rnd.nextInt(20) == 0 ? '\n' : ' ');
    }
    return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), bytes);
  }

  private Path compressedImage(String name, int type, byte[] data) throws IOException {
    Path p = dir.resolve(name);
    try (Qcow2Image image = Qcow2Image.create(p,
        CreateOptions.builder(data.length).compressionType(type).build());
        CompressedWriter w = CompressedWriter.open((Qcow2Disk) image.disk())) {
      w.write(ByteBuffer.wrap(data));
    }
    return p;
  }

  private static byte[] read(Qcow2Disk disk, long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      int n = disk.read(b, offset + b.position());
      assertTrue(n > 0, "short read at " + offset);
    }
    return b.array();
  }

  private static ReadAhead ahead(Qcow2Disk disk) {
    return disk.compressedClusters().readAhead();
  }

  @ParameterizedTest(name = "compression type {0}")
  @ValueSource(ints = {0, 1})
  void sequentialReadersGetTheClustersDecompressedAhead(int type) throws Exception {
    byte[] data = text(type, CLUSTERS * CLUSTER);
    Path p = compressedImage("seq.qcow2", type, data);
    try (Qcow2Image image = Qcow2Image.open(p)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      // Three new clusters in order make a sequential reader; the rest is decompressed ahead.
      assertArrayEquals(Arrays.copyOf(data, 3 * CLUSTER), read(disk, 0, 3 * CLUSTER));
      ahead(disk).quiesce();
      long before = ahead(disk).hits();
      // In pieces smaller than a cluster and across cluster ends, as a guest reads.
      for (int at = 3 * CLUSTER; at < data.length; at += 12_288) {
        int n = Math.min(12_288, data.length - at);
        assertArrayEquals(Arrays.copyOfRange(data, at, at + n), read(disk, at, n), "at " + at);
      }
      assertTrue(ahead(disk).hits() - before >= 1, "hits " + ahead(disk).hits());
      // 1 MiB reads from the start: the same bytes.
      for (int at = 0; at < data.length; at += 1 << 20) {
        int n = Math.min(1 << 20, data.length - at);
        assertArrayEquals(Arrays.copyOfRange(data, at, at + n), read(disk, at, n), "at " + at);
      }
    }
  }

  @Test
  void randomReadersStartNothing() throws Exception {
    byte[] data = text(7, CLUSTERS * CLUSTER);
    Path p = compressedImage("random.qcow2", 0, data);
    try (Qcow2Image image = Qcow2Image.open(p)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      Random rnd = new Random(11);
      for (int i = 0; i < 200; i++) {
        // Never three new clusters in ascending order: 5, 2, 9, 4, ... alternate down and up.
        int c = i % 2 == 0 ? 24 + rnd.nextInt(24) : rnd.nextInt(24);
        int at = c * CLUSTER + rnd.nextInt(CLUSTER - 4096);
        assertArrayEquals(Arrays.copyOfRange(data, at, at + 4096), read(disk, at, 4096));
      }
      ahead(disk).quiesce();
      assertEquals(0, ahead(disk).hits());
    }
  }

  /**
   * Seeded random steps against a model: sequential reads (which schedule clusters ahead),
   * waits for the pool, plain writes, compressed rewrites (new compressed bytes, possibly where
   * freed ones lay, under the same L2 entry), zero writes, discards and flushes, most of them
   * aimed at the clusters just decompressed ahead. Every read must give the model's bytes.
   */
  @ParameterizedTest(name = "compression type {0}")
  @ValueSource(ints = {0, 1})
  void writesBetweenSequentialReadsNeverServeStaleClusters(int type) throws Exception {
    byte[] model = text(100 + type, CLUSTERS * CLUSTER);
    Path p = compressedImage("model.qcow2", type, model);
    Random rnd = new Random(20261126L + type);
    try (Qcow2Image image = Qcow2Image.open(p, OpenOptions.readWrite())) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      try (CompressingDisk compressing = new CompressingDisk(disk, 1)) {
        assertArrayEquals(Arrays.copyOf(model, 4 * CLUSTER), read(disk, 0, 4 * CLUSTER));
        ahead(disk).quiesce();
        long cursor = 4;
        long staleCandidates = 0;
        for (int step = 0; step < 400; step++) {
          int op = rnd.nextInt(10);
          long target = Math.min(CLUSTERS - 1, cursor + rnd.nextInt(8));
          int at = (int) (target * CLUSTER);
          if (op < 4) {
            // Read on from the cursor (or restart somewhere) in pieces.
            if (rnd.nextInt(8) == 0) {
              cursor = rnd.nextInt(CLUSTERS);
            }
            int clusters = 1 + rnd.nextInt(6);
            int from = (int) (cursor * CLUSTER);
            int to = Math.min(model.length, from + clusters * CLUSTER);
            for (int pos = from; pos < to; ) {
              int n = Math.min(to - pos, 1 + rnd.nextInt(3 * CLUSTER / 2));
              assertArrayEquals(Arrays.copyOfRange(model, pos, pos + n), read(disk, pos, n),
                  "step " + step + " at " + pos);
              pos += n;
            }
            cursor = to / CLUSTER == CLUSTERS ? 0 : to / CLUSTER;
          } else if (op == 4) {
            ahead(disk).quiesce();
          } else if (op == 5) {
            byte[] b = new byte[1 + rnd.nextInt(8192)];
            rnd.nextBytes(b);
            int off = at + rnd.nextInt(CLUSTER - b.length + 1);
            disk.write(ByteBuffer.wrap(b), off);
            System.arraycopy(b, 0, model, off, b.length);
            staleCandidates++;
          } else if (op == 6) {
            byte[] b = text(rnd.nextLong(), CLUSTER);
            compressing.write(ByteBuffer.wrap(b), at);
            System.arraycopy(b, 0, model, at, CLUSTER);
            staleCandidates++;
          } else if (op == 7) {
            if (rnd.nextBoolean()) {
              disk.writeZeros(at, CLUSTER);
            } else {
              disk.discard(at, CLUSTER);
            }
            Arrays.fill(model, at, at + CLUSTER, (byte) 0);
            staleCandidates++;
          } else {
            disk.flush();
          }
        }
        assertTrue(staleCandidates > 0);
        assertTrue(ahead(disk).hits() > 0, "read-ahead never served a cluster");
        for (int at = 0; at < model.length; at += CLUSTER) {
          assertArrayEquals(Arrays.copyOfRange(model, at, at + CLUSTER), read(disk, at, CLUSTER),
              "final at " + at);
        }
      }
    }
  }

  /** A compressible cluster that names itself: {@code (cluster, version)} in every long. */
  private static byte[] versioned(int cluster, int version) {
    ByteBuffer b = ByteBuffer.allocate(CLUSTER);
    while (b.hasRemaining()) {
      b.putInt(cluster).putInt(version);
    }
    return b.array();
  }

  /**
   * Two sequential readers and a writer at once: the writer rewrites random clusters (discard,
   * then a compressed write of the next version, flushing now and then so that freed compressed
   * bytes get reused), the readers go round the disk a cluster at a time. A cluster read must be
   * one version, no older than the last rewrite finished before the read began (all zeros only
   * while a rewrite is under way): a stale decompressed copy would show an older version.
   */
  @Test
  void concurrentReadersAndAWriterNeverSeeAnOlderCluster() throws Exception {
    int clusters = 32;
    ByteBuffer all = ByteBuffer.allocate(clusters * CLUSTER);
    for (int c = 0; c < clusters; c++) {
      all.put(versioned(c, 0));
    }
    Path p = compressedImage("concurrent.qcow2", 0, all.array());
    java.util.concurrent.atomic.AtomicIntegerArray started =
        new java.util.concurrent.atomic.AtomicIntegerArray(clusters);
    java.util.concurrent.atomic.AtomicIntegerArray finished =
        new java.util.concurrent.atomic.AtomicIntegerArray(clusters);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.List<Throwable> failures = java.util.Collections.synchronizedList(
        new java.util.ArrayList<>());
    try (Qcow2Image image = Qcow2Image.open(p, OpenOptions.readWrite())) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      Runnable reader = () -> {
        try {
          int passes = 0;
          while (!done.get() || passes < 1) {
            for (int c = 0; c < clusters; c++) {
              int lo = finished.get(c);
              ByteBuffer got = ByteBuffer.wrap(read(disk, (long) c * CLUSTER, CLUSTER));
              int hi = started.get(c);
              int v = got.getInt(4);
              boolean zeros = got.getInt(0) == 0 && v == 0 && c != 0;
              for (int i = 0; i < CLUSTER; i += 8) {
                if (got.getInt(i) != (zeros ? 0 : c) || got.getInt(i + 4) != v) {
                  throw new AssertionError("cluster " + c + " mixes versions at byte " + i);
                }
              }
              if (zeros ? hi <= lo : v < lo || v > hi) {
                throw new AssertionError("cluster " + c + ": read " + (zeros ? "zeros" : "version "
                    + v) + ", finished " + lo + " before the read, started " + hi + " after");
              }
            }
            passes++;
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      };
      Thread r1 = new Thread(reader);
      Thread r2 = new Thread(reader);
      r1.start();
      r2.start();
      try (CompressingDisk compressing = new CompressingDisk(disk, 1)) {
        Random rnd = new Random(42);
        for (int i = 0; i < 150 && failures.isEmpty(); i++) {
          // Cluster 0 is never rewritten: its zeros would read as version 0 of cluster 0.
          int c = 1 + rnd.nextInt(clusters - 1);
          int v = started.get(c) + 1;
          started.set(c, v);
          disk.discard((long) c * CLUSTER, CLUSTER);
          compressing.write(ByteBuffer.wrap(versioned(c, v)), (long) c * CLUSTER);
          compressing.flush();
          finished.set(c, v);
          if (rnd.nextInt(4) == 0) {
            disk.flush();
          }
        }
      } finally {
        done.set(true);
        r1.join();
        r2.join();
      }
      if (!failures.isEmpty()) {
        throw new AssertionError(failures.get(0));
      }
      // How many clusters were served ahead depends on the pool's pace: the tests above prove
      // it serves them; this one proves what it serves is never older than what was written.
    }
  }

  /** Overwrites the start of compressed cluster {@code cluster}'s stream with {@code bytes}. */
  private static void patchStream(Path p, int cluster, byte[] bytes) throws IOException {
    long offset;
    int length;
    try (Qcow2Image image = Qcow2Image.open(p)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      assertEquals(ClusterType.COMPRESSED,
          disk.blockStatus((long) cluster * CLUSTER, CLUSTER).type());
      CompressedDescriptor d = CompressedDescriptor.decode(disk.l2Table(0)[cluster], 16);
      offset = d.offset();
      length = d.readLength();
    }
    assertTrue(bytes.length <= length, "patch of " + bytes.length + " in " + length);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), offset);
    }
  }

  @ParameterizedTest(name = "compression type {0}")
  @ValueSource(ints = {0, 1})
  void aClusterThatFailsAheadFailsOnlyItsOwnRead(int type) throws Exception {
    byte[] data = text(200 + type, CLUSTERS * CLUSTER);
    Path p = compressedImage("bad.qcow2", type, data);
    byte[] garbage = new byte[64];
    Arrays.fill(garbage, (byte) 0xff);
    patchStream(p, 10, garbage);
    try (Qcow2Image image = Qcow2Image.open(p)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      assertArrayEquals(Arrays.copyOf(data, 4 * CLUSTER), read(disk, 0, 4 * CLUSTER));
      // Cluster 10 was tried ahead, and failed there: nobody has read it yet.
      ahead(disk).quiesce();
      assertArrayEquals(Arrays.copyOfRange(data, 4 * CLUSTER, 10 * CLUSTER),
          read(disk, 4 * CLUSTER, 6 * CLUSTER));
      CorruptImageException e = assertThrows(CorruptImageException.class,
          () -> read(disk, 10 * CLUSTER, 4096));
      assertTrue(e.getMessage().contains("compressed cluster (L2 entry 10, L1 index 0)"),
          e.getMessage());
      assertArrayEquals(Arrays.copyOfRange(data, 11 * CLUSTER, 20 * CLUSTER),
          read(disk, 11 * CLUSTER, 9 * CLUSTER));
    }
  }

  @Test
  void clusterBombsInflateToOneClusterEach() throws Exception {
    byte[] data = text(300, CLUSTERS * CLUSTER);
    Path p = compressedImage("bomb.qcow2", 0, data);
    // 64 MiB of zeros in a raw deflate stream of about 64 KiB / 1000: a thousandfold expansion.
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(new byte[64 << 20]);
    d.finish();
    byte[] bomb = new byte[256 * 1024];
    int n = 0;
    while (!d.finished()) {
      n += d.deflate(bomb, n, bomb.length - n);
    }
    d.end();
    // Only what fits before the next cluster's stream (the sectors of one stream run on into
    // the next): an inflater stopped at one cluster never reaches the rest.
    long[] offsets = new long[CLUSTERS + 1];
    try (Qcow2Image image = Qcow2Image.open(p)) {
      long[] table = ((Qcow2Disk) image.disk()).l2Table(0);
      for (int c = 0; c < CLUSTERS; c++) {
        offsets[c] = CompressedDescriptor.decode(table[c], 16).offset();
      }
    }
    for (int c = 5; c < CLUSTERS - 1; c += 3) {
      int room = (int) (offsets[c + 1] - offsets[c]);
      assertTrue(room > 1024, "stream " + c + " is " + room + " bytes");
      patchStream(p, c, Arrays.copyOf(bomb, Math.min(n, room)));
      Arrays.fill(data, c * CLUSTER, (c + 1) * CLUSTER, (byte) 0);
    }
    try (Qcow2Image image = Qcow2Image.open(p)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      assertArrayEquals(Arrays.copyOf(data, 3 * CLUSTER), read(disk, 0, 3 * CLUSTER));
      ahead(disk).quiesce();
      for (int at = 3 * CLUSTER; at < data.length; at += 1 << 20) {
        int len = Math.min(1 << 20, data.length - at);
        assertArrayEquals(Arrays.copyOfRange(data, at, at + len), read(disk, at, len));
      }
      assertTrue(ahead(disk).hits() > 0);
      assertTrue((long) ahead(disk).window() * CLUSTER <= ReadAhead.BUDGET);
    }
  }
}
