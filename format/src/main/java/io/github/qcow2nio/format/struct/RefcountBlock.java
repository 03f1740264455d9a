package io.github.qcow2nio.format.struct;

/**
 * Reads and writes entries of a refcount block of any width from 1 to 64 bits. Sub-byte widths
 * pack from the least significant bit; 16, 32 and 64 bits are big-endian.
 */
public final class RefcountBlock {
  private final byte[] data;
  private final int order;

  public RefcountBlock(byte[] clusterBytes, int refcountOrder) {
    this.data = clusterBytes;
    this.order = refcountOrder;
  }

  /** Entries in one block of {@code clusterSize} bytes. */
  public static long entries(int clusterBits, int refcountOrder) {
    return 1L << (clusterBits + 3 - refcountOrder);
  }

  public static long maxValue(int refcountOrder) {
    int bits = 1 << refcountOrder;
    return bits == 64 ? -1L : (1L << bits) - 1;
  }

  public byte[] bytes() {
    return data;
  }

  public long get(int i) {
    switch (order) {
      case 0:
        return (data[i >>> 3] >>> (i & 7)) & 1;
      case 1:
        return (data[i >>> 2] >>> ((i & 3) * 2)) & 3;
      case 2:
        return (data[i >>> 1] >>> ((i & 1) * 4)) & 15;
      case 3:
        return data[i] & 0xFF;
      case 4:
        return ((data[2 * i] & 0xFF) << 8) | (data[2 * i + 1] & 0xFF);
      case 5:
        return getBig(4 * i, 4);
      default:
        return getBig(8 * i, 8);
    }
  }

  public void set(int i, long value) {
    if (Long.compareUnsigned(value, maxValue(order)) > 0) {
      throw new IllegalArgumentException(
          "refcount " + Long.toUnsignedString(value) + " exceeds " + (1 << order) + " bits");
    }
    switch (order) {
      case 0, 1, 2 -> {
        int bits = 1 << order;
        int perByte = 8 / bits;
        int index = i / perByte;
        int shift = (i % perByte) * bits;
        int mask = ((1 << bits) - 1) << shift;
        data[index] = (byte) ((data[index] & ~mask) | ((int) value << shift));
      }
      case 3 -> data[i] = (byte) value;
      case 4 -> {
        data[2 * i] = (byte) (value >>> 8);
        data[2 * i + 1] = (byte) value;
      }
      case 5 -> putBig(4 * i, 4, value);
      default -> putBig(8 * i, 8, value);
    }
  }

  private long getBig(int at, int n) {
    long v = 0;
    for (int k = 0; k < n; k++) {
      v = (v << 8) | (data[at + k] & 0xFF);
    }
    return v;
  }

  private void putBig(int at, int n, long v) {
    for (int k = n - 1; k >= 0; k--) {
      data[at + k] = (byte) v;
      v >>>= 8;
    }
  }
}
