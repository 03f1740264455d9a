package io.github.qcow2nio.format.testing;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded guest data with a known mix of compressibility, for raw sources and backing files. */
public final class TestData {
  private TestData() {}

  /**
   * {@code length} bytes in blocks of {@code block}: each block is all zeros, one repeated byte,
   * random, or a random prefix of random length followed by a repeated byte. The last kind
   * compresses to any size between almost nothing and a full block, so compressed clusters made
   * from it have every length and straddle host clusters; all-random blocks do not compress.
   */
  public static byte[] mixed(long seed, int length, int block) {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] b = new byte[length];
    for (int start = 0; start < length; start += block) {
      int end = Math.min(length, start + block);
      int kind = rnd.nextInt(8);
      switch (kind) {
        case 0 -> { } // zeros
        case 1 -> Arrays.fill(b, start, end, (byte) (1 + rnd.nextInt(255)));
        case 2 -> fillRandom(rnd, b, start, end);
        default -> {
          int cut = start + rnd.nextInt(end - start + 1);
          fillRandom(rnd, b, start, cut);
          Arrays.fill(b, cut, end, (byte) rnd.nextInt(256));
        }
      }
    }
    return b;
  }

  /** {@code length} random bytes, which no compressor shrinks. */
  public static byte[] random(long seed, int length) {
    byte[] b = new byte[length];
    fillRandom(new SplittableRandom(seed), b, 0, length);
    return b;
  }

  private static void fillRandom(SplittableRandom rnd, byte[] b, int from, int to) {
    for (int i = from; i < to; ) {
      long v = rnd.nextLong();
      for (int k = 0; k < 8 && i < to; k++, i++) {
        b[i] = (byte) (v >>> (8 * k));
      }
    }
  }
}
