package io.github.qcow2nio.format.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Checks that a {@link VirtualDisk} reads exactly the expected bytes (from qemu-img convert -O
 * raw, or a model), three ways: the whole disk in one call, streaming in odd-sized chunks, and
 * seeded random reads of random lengths, plus the edges at the end of the disk.
 *
 * <p>The random reads' seed is {@code qcow2.interop.seed} (a system property, default fixed)
 * mixed with the label; a failure prints it, and setting the property reproduces other runs.
 */
public final class DiskReads {
  private static final long BASE_SEED = Knobs.INTEROP_SEED;
  private static final int CHUNK = 12345;
  private static final int RANDOM_READS = 200;

  private DiskReads() {}

  public static void assertReadsLike(byte[] expected, VirtualDisk disk, String label)
      throws IOException {
    assertEquals(expected.length, disk.size(), label + ": virtual size");
    if (expected.length == 0) {
      assertEquals(-1, disk.read(ByteBuffer.allocate(1), 0), label + ": read of an empty disk");
      assertEquals(0, disk.read(ByteBuffer.allocate(0), 0), label + ": empty buffer");
      return;
    }
    assertWindowReadsLike(expected, 0, disk, label);
  }

  /**
   * The same checks on the window {@code [start, start + expected.length)} of a disk too big to
   * hold in memory; the end-of-disk checks run when the window ends where the disk does.
   */
  public static void assertWindowReadsLike(byte[] expected, long start, VirtualDisk disk,
      String label) throws IOException {
    Window w = new Window(expected, start, disk, label + " [window at " + start + "]");
    if (start == 0 && expected.length == disk.size()) {
      w = new Window(expected, 0, disk, label);
    }
    wholeDisk(w);
    streaming(w);
    randomReads(w, RANDOM_READS);
    if (start + expected.length == disk.size()) {
      endOfDisk(w);
    }
  }

  /** What one check reads: {@code expected} lies at guest offset {@code start} of the disk. */
  private record Window(byte[] expected, long start, VirtualDisk disk, String label) {}

  /**
   * Seeded random reads from {@code threads} threads at once on the same disk, each checked: the
   * disk is shared by many readers in the provider, and caches (L2 tables, the last decompressed
   * cluster) must not leak one reader's state into another's.
   */
  public static void assertParallelReadsLike(byte[] expected, VirtualDisk disk, String label,
      int threads) throws IOException {
    if (expected.length == 0) {
      assertReadsLike(expected, disk, label);
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String who = label + " (thread " + t + " of " + threads + ")";
        results.add(pool.submit(() -> {
          randomReads(new Window(expected, 0, disk, who), RANDOM_READS / 3);
          return null;
        }));
      }
      for (Future<?> f : results) {
        try {
          f.get();
        } catch (ExecutionException e) {
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

  private static void wholeDisk(Window w) throws IOException {
    byte[] expected = w.expected;
    String label = w.label;
    ByteBuffer all = ByteBuffer.allocate(expected.length);
    assertEquals(expected.length, w.disk.read(all, w.start), label + ": whole-disk read count");
    assertEquals(expected.length, all.position(), label + ": whole-disk buffer position");
    compare(w, 0, all.array(), 0, expected.length, label + ": whole-disk read");
  }

  private static void streaming(Window w) throws IOException {
    byte[] expected = w.expected;
    String label = w.label;
    boolean toEnd = w.start + expected.length == w.disk.size();
    // A direct buffer with a nonzero position, to catch code that assumes position 0 or arrays.
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK + 7);
    byte[] got = new byte[CHUNK];
    long pos = 0;
    while (pos < expected.length) {
      // Up to the disk's end the buffer always has a whole chunk of room, so the last read is
      // short; a window inside the disk reads only its own bytes.
      int room = toEnd ? CHUNK : (int) Math.min(CHUNK, expected.length - pos);
      buf.clear().position(7).limit(7 + room);
      int n = w.disk.read(buf, w.start + pos);
      int want = (int) Math.min(room, expected.length - pos);
      assertEquals(want, n, label + ": streaming read count at " + (w.start + pos));
      assertEquals(7 + n, buf.position(), label + ": streaming buffer position at " + pos);
      buf.flip().position(7);
      buf.get(got, 0, n);
      compare(w, pos, got, 0, n, label + ": streaming read(" + (w.start + pos) + ", " + room
          + ")");
      pos += n;
    }
    if (toEnd) {
      buf.clear();
      assertEquals(-1, w.disk.read(buf, w.start + pos), label + ": streaming read at the end");
    }
  }

  private static void randomReads(Window w, int count) throws IOException {
    byte[] expected = w.expected;
    String label = w.label;
    VirtualDisk disk = w.disk;
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
          + BASE_SEED + "), read #" + i + " (" + (w.start + offset) + ", " + length + ")";
      int n = disk.read(dst, w.start + offset);
      int want = (int) Math.min(length, disk.size() - w.start - offset);
      assertEquals(want, n, what + " count");
      want = Math.min(want, size - (int) offset);
      assertEquals(slack + n, dst.position(), what + " buffer position");
      compare(w, offset, backing, slack, want, what);
    }
  }

  private static void endOfDisk(Window w) throws IOException {
    byte[] expected = w.expected;
    String label = w.label;
    VirtualDisk disk = w.disk;
    int size = expected.length;
    long end = disk.size();
    ByteBuffer one = ByteBuffer.allocate(1);
    assertEquals(1, disk.read(one, end - 1), label + ": last byte count");
    assertEquals(expected[size - 1], one.get(0), label + ": last byte");
    ByteBuffer two = ByteBuffer.allocate(2);
    assertEquals(1, disk.read(two, end - 1), label + ": read across the end");
    assertEquals(expected[size - 1], two.get(0), label + ": read across the end");
    assertEquals(-1, disk.read(ByteBuffer.allocate(1), end), label + ": read at the end");
    assertEquals(-1, disk.read(ByteBuffer.allocate(1), end + 12345L), label + ": past the end");
    assertEquals(0, disk.read(ByteBuffer.allocate(0), 0), label + ": empty buffer");
  }

  /** Compares {@code got} with the window's bytes from {@code from} (relative to the window). */
  private static void compare(Window w, long from, byte[] got, int gotOffset, int length,
      String what) {
    byte[] expected = w.expected;
    int mismatch = Arrays.mismatch(expected, (int) from, (int) from + length, got, gotOffset,
        gotOffset + length);
    if (mismatch >= 0) {
      long at = w.start + from + mismatch;
      fail(String.format("%s: differs at guest offset %d (0x%x): expected 0x%02x, read 0x%02x",
          what, at, at, expected[(int) from + mismatch] & 0xff,
          got[gotOffset + mismatch] & 0xff));
    }
  }
}
