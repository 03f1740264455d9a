package io.github.qcow2nio.format.struct;

/** An L1 table entry: the offset of one L2 table and its COPIED flag. */
public record L1Entry(long raw) {
  public static final long OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
  public static final long RESERVED_MASK = 0x7F000000000001FFL;
  public static final long COPIED = 1L << 63;

  public static long l2Offset(long raw) {
    return raw & OFFSET_MASK;
  }

  public long l2Offset() {
    return l2Offset(raw);
  }

  public boolean copied() {
    return (raw & COPIED) != 0;
  }

  public boolean hasReservedBits() {
    return (raw & RESERVED_MASK) != 0;
  }

  public static L1Entry of(long l2Offset, boolean copied) {
    return new L1Entry((l2Offset & OFFSET_MASK) | (copied ? COPIED : 0));
  }
}
