package io.github.qcow2nio.examples.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** What every benchmark here shares: best-of-N timing, test data, qemu-img runs, scratch space. */
final class Bench {
  /** Rounds per measurement; the best one counts, since noise only ever adds time. */
  static final int ROUNDS = 5;

  private Bench() {}

  @FunctionalInterface
  interface Run {
    void run() throws Exception;
  }

  /** The fastest of {@link #ROUNDS} runs, in nanoseconds. */
  static long best(Run r) throws Exception {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < ROUNDS; i++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best;
  }

  /** Prints one line: our time over a raw FileChannel's on the same bytes. */
  static void report(String what, long raw, long ours) {
    System.out.printf(Locale.ROOT, "%-52s qcow2-nio/raw FileChannel = %.2f%n", what,
        (double) ours / raw);
  }

  /** A share of the 64 KiB chunks hold pseudo-random text-like data, the rest are zero. */
  static void writeRandomish(Path raw, long size, double dataShare) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    byte[] chunk = new byte[1 << 20];
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long off = 0; off < size; off += chunk.length) {
        for (int c = 0; c < chunk.length; c += 65536) {
          boolean data = rnd.nextDouble() < dataShare;
          for (int i = c; i < c + 65536; i++) {
            chunk[i] = data ? (byte) ('a' + rnd.nextInt(8)) : 0;
          }
        }
        ch.write(ByteBuffer.wrap(chunk), off);
      }
    }
  }

  /** True when bytes {@code [from, to)} of {@code b} are zero (to a multiple of 8). */
  static boolean isZero(ByteBuffer b, int from, int to) {
    for (int i = from; i + 8 <= to; i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Runs a command (qemu-img), its output discarded, and fails unless it exits 0. */
  static void exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("failed: " + String.join(" ", command));
    }
  }

  /** Deletes a flat scratch directory and what is in it. */
  static void deleteScratch(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }
}
