package io.github.qcow2nio.format.io;

import java.nio.ByteBuffer;

/** Allocation-free helpers for filling and copying buffers, and the buffers bulk I/O reads into. */
public final class Buffers {
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
  private static final int PAGE = 4096;

  private Buffers() {}

  /**
   * A direct buffer of {@code capacity} bytes starting on a 4 KiB boundary, for bulk reads from
   * host files. {@code ByteBuffer.allocateDirect}'s large buffers start 16 bytes past a page
   * boundary, and on some processors (AMD Zen 3 here) the kernel's copy from the page cache into
   * memory 1 to 31 bytes past the source's page offset runs at a third of its speed: reading
   * 1 GiB of cached file took 560 to 780 ms into such a buffer and 180 to 240 ms into an aligned
   * one (bench/README.md, "Aligned buffers"). QEMU aligns its buffers likewise.
   */
  public static ByteBuffer pageAligned(int capacity) {
    int rounded = (int) Math.min(Integer.MAX_VALUE - PAGE, ((long) capacity + PAGE - 1) & -PAGE);
    return ByteBuffer.allocateDirect(rounded + PAGE - 1).alignedSlice(PAGE).slice(0, capacity);
  }

  /** Writes {@code n} zero bytes at {@code dst}'s position and advances it. */
  public static void zero(ByteBuffer dst, int n) {
    int pos = dst.position();
    if (dst.hasArray()) {
      int base = dst.arrayOffset() + pos;
      java.util.Arrays.fill(dst.array(), base, base + n, (byte) 0);
    } else {
      int done = 0;
      while (done < n) {
        int chunk = Math.min(n - done, ZEROS.capacity());
        dst.put(pos + done, ZEROS, 0, chunk);
        done += chunk;
      }
    }
    dst.position(pos + n);
  }

  /** Writes {@code n} zero bytes at the channel's current position. */
  public static void writeZeros(java.nio.channels.WritableByteChannel ch, long n)
      throws java.io.IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(n, 64 * 1024));
    long left = n;
    while (left > 0) {
      zeros.clear().limit((int) Math.min(left, zeros.capacity()));
      while (zeros.hasRemaining()) {
        left -= ch.write(zeros);
      }
    }
  }

  /** True when the {@code n} bytes of {@code buf} from index {@code from} are all zero. */
  public static boolean isZero(ByteBuffer buf, int from, int n) {
    int i = from;
    int end = from + n;
    for (; i + 8 <= end; i += 8) {
      if (buf.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (buf.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** True when every byte of {@code b} is zero. */
  public static boolean isZero(byte[] b) {
    return isZero(ByteBuffer.wrap(b), 0, b.length);
  }

  /** True when every byte of {@code b} is 0xFF. */
  public static boolean isAllOnes(byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    int i = 0;
    for (; i + 8 <= b.length; i += 8) {
      if (buf.getLong(i) != -1L) {
        return false;
      }
    }
    for (; i < b.length; i++) {
      if (b[i] != (byte) 0xFF) {
        return false;
      }
    }
    return true;
  }
}
