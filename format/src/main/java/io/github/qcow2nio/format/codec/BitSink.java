package io.github.qcow2nio.format.codec;

/**
 * Bits into a byte array, least significant bit first (RFC 1951, 3.1.1), up to a fixed limit.
 * Writing past the limit does not throw: it marks the output as overflowed, because a cluster
 * that does not compress below the limit is simply stored uncompressed.
 */
final class BitSink {
  private static final java.lang.invoke.VarHandle INTS = java.lang.invoke.MethodHandles
      .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private byte[] out;
  private int limit;
  private int pos;
  private long bits;
  private int count;
  private boolean overflow;

  void reset(byte[] out, int limit) {
    this.out = out;
    this.limit = Math.min(limit, out.length);
    this.pos = 0;
    this.bits = 0;
    this.count = 0;
    this.overflow = false;
  }

  /** Appends the low {@code n} (at most 32) bits of {@code value}. */
  void write(int value, int n) {
    bits |= (value & ((1L << n) - 1)) << count;
    count += n;
    // Fewer than 64 bits held: flushed four bytes at a time, one store, while they fit.
    if (count >= 32) {
      if (pos + 4 <= limit) {
        INTS.set(out, pos, (int) bits);
        pos += 4;
        bits >>>= 32;
        count -= 32;
      } else {
        while (count >= 8) {
          put((byte) bits);
          bits >>>= 8;
          count -= 8;
        }
      }
    }
  }

  /** Pads with zero bits to the next byte boundary. */
  void alignToByte() {
    while (count > 0) {
      put((byte) bits);
      bits >>>= 8;
      count = Math.max(0, count - 8);
    }
    bits = 0;
  }

  /** Copies bytes after {@link #alignToByte}. */
  void writeBytes(byte[] src, int from, int n) {
    // Whole bytes still held (write keeps up to 31 bits) go first.
    while (count >= 8) {
      put((byte) bits);
      bits >>>= 8;
      count -= 8;
    }
    if (pos + n > limit) {
      overflow = true;
      pos = limit;
      return;
    }
    System.arraycopy(src, from, out, pos, n);
    pos += n;
  }

  private void put(byte b) {
    if (pos < limit) {
      out[pos++] = b;
    } else {
      overflow = true;
    }
  }

  boolean overflowed() {
    return overflow;
  }

  /** Bytes written so far (after the final {@link #alignToByte}). */
  int length() {
    return pos;
  }
}
