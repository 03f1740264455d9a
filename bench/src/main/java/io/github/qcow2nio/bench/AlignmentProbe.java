package io.github.qcow2nio.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How fast this machine copies a cached file into memory, by where the destination starts within
 * a page: {@code java -cp bench/target/qcow2-bench.jar io.github.qcow2nio.bench.AlignmentProbe
 * FILE [ROUNDS]} reads FILE from start to end in 2 MiB positional reads, once per destination
 * offset and round, and prints each offset's best time. The file should be in the page cache
 * (read it once first) and larger than the processor's caches; the reference images' random.raw
 * is. This is the measurement behind {@code Buffers.pageAligned}: on the 2-core build machine
 * (AMD EPYC, family 25) offsets of 1 to 31 bytes, and {@code allocateDirect}'s buffers, read at a
 * third of the speed of the others.
 */
public final class AlignmentProbe {
  private static final int PAGE = 4096;
  private static final int CHUNK = 2 << 20;
  private static final int[] OFFSETS = {0, 1, 8, 16, 31, 32, 64, 2048, 4080, 4095};

  private AlignmentProbe() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: AlignmentProbe FILE [ROUNDS]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ByteBuffer backing = ByteBuffer.allocateDirect(CHUNK + 2 * PAGE).alignedSlice(PAGE);
    long[] best = new long[OFFSETS.length + 1];
    java.util.Arrays.fill(best, Long.MAX_VALUE);
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < OFFSETS.length; i++) {
        best[i] = Math.min(best[i], readAll(file, backing.slice(OFFSETS[i], CHUNK)));
      }
      // What most callers have: allocateDirect's own placement.
      best[OFFSETS.length] = Math.min(best[OFFSETS.length],
          readAll(file, ByteBuffer.allocateDirect(CHUNK)));
    }
    for (int i = 0; i <= OFFSETS.length; i++) {
      String what = i < OFFSETS.length ? "page + " + OFFSETS[i] + " bytes"
          : "ByteBuffer.allocateDirect (page + " + ByteBuffer.allocateDirect(CHUNK)
              .alignmentOffset(0, PAGE) + ")";
      System.out.println(String.format(Locale.ROOT, "%-44s %8.1f ms", what, best[i] / 1e6));
    }
  }

  private static long readAll(Path file, ByteBuffer buf) throws IOException {
    long t0 = System.nanoTime();
    ReadRows.sequentialRaw(file, buf);
    return System.nanoTime() - t0;
  }
}
