package io.github.qcow2nio.format.testing;

import java.util.Arrays;
import java.util.List;

/**
 * How a fuzz input becomes an image: byte 0 picks a seed image, byte 1 whether bytes 2..4 give a
 * new length (truncated, or zero-extended by at most {@link #MAX_EXTENSION}), then patches of {3-byte offset, length-1 in the low
 * nibble, bytes}. Whole images would be too large for the fuzzer to mutate well; patches
 * over valid images reach deep structures from the first run, and the fuzzer still steers every
 * offset and value. A seed file of the two bytes {i, 0} is seed image i unchanged.
 */
public final class Mutation {
  /**
   * How much longer than its seed an image may become: enough to move every structure past the
   * old end, small enough that the copies a target makes (16 MiB seeds, a jimfs copy) stay
   * inside a campaign's -Xmx128m (twice the seed ran a partition campaign out of memory).
   */
  public static final int MAX_EXTENSION = 1 << 20;

  private Mutation() {}

  /** The image {@code input} describes, built from one of {@code seeds} (never changed). */
  public static byte[] apply(List<byte[]> seeds, byte[] input) {
    if (input.length == 0) {
      return seeds.get(0).clone();
    }
    byte[] image = seeds.get((input[0] & 0xFF) % seeds.size()).clone();
    int p = 1;
    if (p < input.length && (input[p++] & 1) != 0 && p + 3 <= input.length) {
      int len = u24(input, p) % (image.length + MAX_EXTENSION + 1);
      image = Arrays.copyOf(image, len);
      p += 3;
    }
    while (p + 4 <= input.length && image.length > 0) {
      int at = u24(input, p) % image.length;
      int n = 1 + (input[p + 3] & 0x0F);
      p += 4;
      n = Math.min(n, Math.min(input.length - p, image.length - at));
      System.arraycopy(input, p, image, at, n);
      p += n;
    }
    return image;
  }

  private static int u24(byte[] b, int p) {
    return (b[p] & 0xFF) << 16 | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF);
  }
}
