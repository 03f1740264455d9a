package io.github.qcow2nio.format.struct;

/**
 * An L2 table entry: the 64-bit cluster descriptor and, with extended L2 entries, the 64-bit
 * subcluster bitmap (bits 0..31 allocated, bits 32..63 reads-as-zero).
 *
 * <p>The static methods decode raw words without allocating, for the read path.
 */
public record L2Entry(long word, long bitmap) {
  public static final long OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
  public static final long RESERVED_MASK = 0x3F000000000001FEL;
  public static final long ZERO_FLAG = 1L;
  public static final long COMPRESSED = 1L << 62;
  public static final long COPIED = 1L << 63;
  public static final int SUBCLUSTERS = 32;
  public static final long ALLOC_MASK = 0xFFFFFFFFL;

  public static boolean isCompressed(long word) {
    return (word & COMPRESSED) != 0;
  }

  public static long hostOffset(long word) {
    return word & OFFSET_MASK;
  }

  public boolean isCompressed() {
    return isCompressed(word);
  }

  public long hostOffset() {
    return hostOffset(word);
  }

  public boolean copied() {
    return (word & COPIED) != 0;
  }

  public boolean zeroFlag() {
    return (word & ZERO_FLAG) != 0;
  }

  public boolean hasReservedBits() {
    return !isCompressed() && (word & RESERVED_MASK) != 0;
  }

  public static L2Entry normal(long hostOffset, boolean copied) {
    return new L2Entry((hostOffset & OFFSET_MASK) | (copied ? COPIED : 0), 0);
  }

  /** Allocation bits of an extended entry's subcluster bitmap. */
  public static int allocBits(long bitmap) {
    return (int) bitmap;
  }

  /** Reads-as-zero bits of an extended entry's subcluster bitmap. */
  public static int zeroBits(long bitmap) {
    return (int) (bitmap >>> 32);
  }
}
