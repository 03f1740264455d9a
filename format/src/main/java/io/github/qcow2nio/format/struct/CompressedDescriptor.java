package io.github.qcow2nio.format.struct;

/**
 * The cluster descriptor of a compressed L2 entry: a byte offset in the image file and a count of
 * additional 512-byte sectors. The split point between the two fields moves with the cluster size:
 * x = 62 - (cluster_bits - 8).
 */
public record CompressedDescriptor(long offset, int additionalSectors) {

  public static int offsetBits(int clusterBits) {
    return 62 - (clusterBits - 8);
  }

  public static long offsetMask(int clusterBits) {
    return (1L << offsetBits(clusterBits)) - 1;
  }

  public static long countMask(int clusterBits) {
    return (1L << (clusterBits - 8)) - 1;
  }

  public static CompressedDescriptor decode(long word, int clusterBits) {
    long offset = word & offsetMask(clusterBits);
    int count = (int) ((word >>> offsetBits(clusterBits)) & countMask(clusterBits));
    return new CompressedDescriptor(offset, count);
  }

  /** Bytes to read: from the offset to the end of the last sector the descriptor covers. */
  public int readLength() {
    return (additionalSectors + 1) * 512 - (int) (offset & 511);
  }

  /** Describes {@code length} compressed bytes at {@code offset}. */
  public static CompressedDescriptor of(long offset, int length) {
    int count = (int) (((offset + length - 1) >>> 9) - (offset >>> 9));
    return new CompressedDescriptor(offset, count);
  }

  /** The full L2 word: compressed flag, count, offset. COPIED is never set on these. */
  public long encode(int clusterBits) {
    return L2Entry.COMPRESSED
        | ((long) additionalSectors << offsetBits(clusterBits))
        | (offset & offsetMask(clusterBits));
  }
}
