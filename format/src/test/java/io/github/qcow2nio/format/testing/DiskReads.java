package io.github.qcow2nio.format.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks that a {@link VirtualDisk} reads exactly the expected bytes (from qemu-img convert -O
 * raw, or a model), three ways: the whole disk in one call, streaming in odd-sized chunks, and
 * seeded random reads of random lengths, plus the edges at the end of the disk.
 *
 * <p>The random reads' seed is {@code qcow2.interop.seed} (a system property, default fixed)
 * mixed with the label; a failure prints it, and setting the property reproduces other runs.
 */
public final class DiskReads {
  private static final long BASE_SEED = Long.getLong("qcow2.interop.seed", 0x0C0FFEE5EEDL);
  private static final int CHUNK = 12345;
  private static final int RANDOM_READS = 300;

  private DiskReads() {}

  public static void assertReadsLike(byte[] expected, VirtualDisk disk, String label)
      throws IOException {
    assertEquals(expected.length, disk.size(), label + ": virtual size");
    wholeDisk(expected, disk, label);
    streaming(expected, disk, label);
    randomReads(expected, disk, label, RANDOM_READS);
    endOfDisk(expected, disk, label);
  }

  /**
   * Seeded random reads from {@code threads} threads at once on the same disk, each checked: the
   * disk is shared by many readers in the provider, and caches (L2 tables, the last decompressed
   * cluster) must not leak one reader's state into another's.
   */
  public static void assertParallelReadsLike(byte[] expected, VirtualDisk disk, String label,
      int threads) throws IOException {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String who = label + " (thread " + t + " of " + threads + ")";
        results.add(pool.submit(() -> {
          randomReads(expected, disk, who, RANDOM_READS / 2);
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : results) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof AssertionError a) {
            throw a;
          }
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new AssertionError(label + ": parallel read failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void wholeDisk(byte[] expected, VirtualDisk disk, String label)
      throws IOException {
    ByteBuffer all = ByteBuffer.allocate(expected.length);
    assertEquals(expected.length, disk.read(all, 0), label + ": whole-disk read count");
    assertEquals(expected.length, all.position(), label + ": whole-disk buffer position");
    compare(expected, 0, all.array(), 0, expected.length, label + ": whole-disk read");
  }

  private static void streaming(byte[] expected, VirtualDisk disk, String label)
      throws IOException {
    // A direct buffer with a nonzero position, to catch code that assumes position 0 or arrays.
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK + 7);
    byte[] got = new byte[CHUNK];
    long pos = 0;
    while (true) {
      buf.clear().position(7);
      int n = disk.read(buf, pos);
      if (n < 0) {
        break;
      }
      int want = (int) Math.min(CHUNK, expected.length - pos);
      assertEquals(want, n, label + ": streaming read count at " + pos);
      assertEquals(7 + n, buf.position(), label + ": streaming buffer position at " + pos);
      buf.flip().position(7);
      buf.get(got, 0, n);
      compare(expected, pos, got, 0, n, label + ": streaming read(" + pos + ", " + CHUNK + ")");
      pos += n;
    }
    assertEquals(expected.length, pos, label + ": streaming total");
  }

  private static void randomReads(byte[] expected, VirtualDisk disk, String label, int count)
      throws IOException {
    long seed = BASE_SEED ^ label.hashCode();
    SplittableRandom rnd = new SplittableRandom(seed);
    int size = expected.length;
    byte[] backing = new byte[(1 << 20) + 64];
    for (int i = 0; i < count; i++) {
      long offset = rnd.nextInt(size);
      int length = switch (rnd.nextInt(4)) {
        case 0 -> 1 + rnd.nextInt(600);
        case 1 -> 1 + rnd.nextInt(40_000);
        case 2 -> 1 + rnd.nextInt(300_000);
        default -> 1 + rnd.nextInt(1 << 20);
      };
      int slack = rnd.nextInt(64);
      ByteBuffer dst = ByteBuffer.wrap(backing, slack, length);
      String what = label + ": seed " + Long.toHexString(seed) + " (property qcow2.interop.seed="
          + BASE_SEED + "), read #" + i + " (" + offset + ", " + length + ")";
      int n = disk.read(dst, offset);
      int want = (int) Math.min(length, size - offset);
      assertEquals(want, n, what + " count");
      assertEquals(slack + want, dst.position(), what + " buffer position");
      compare(expected, offset, backing, slack, want, what);
    }
  }

  private static void endOfDisk(byte[] expected, VirtualDisk disk, String label)
      throws IOException {
    int size = expected.length;
    ByteBuffer one = ByteBuffer.allocate(1);
    assertEquals(1, disk.read(one, size - 1), label + ": last byte count");
    assertEquals(expected[size - 1], one.get(0), label + ": last byte");
    ByteBuffer two = ByteBuffer.allocate(2);
    assertEquals(1, disk.read(two, size - 1), label + ": read across the end");
    assertEquals(expected[size - 1], two.get(0), label + ": read across the end");
    assertEquals(-1, disk.read(ByteBuffer.allocate(1), size), label + ": read at the end");
    assertEquals(-1, disk.read(ByteBuffer.allocate(1), size + 12345L), label + ": past the end");
    assertEquals(0, disk.read(ByteBuffer.allocate(0), 0), label + ": empty buffer");
  }

  private static void compare(byte[] expected, long expectedOffset, byte[] got, int gotOffset,
      int length, String what) {
    int from = (int) expectedOffset;
    int mismatch = Arrays.mismatch(expected, from, from + length, got, gotOffset,
        gotOffset + length);
    if (mismatch >= 0) {
      long at = expectedOffset + mismatch;
      fail(String.format("%s: differs at guest offset %d (0x%x): expected 0x%02x, read 0x%02x",
          what, at, at, expected[from + mismatch] & 0xff, got[gotOffset + mismatch] & 0xff));
    }
  }
}
