package io.github.qcow2nio.format.disk;

/**
 * Where a guest offset lives in an image's two-level table: cluster size, entries per L2 table
 * (8-byte entries, or 16-byte ones with extended L2), the L1 index and L2 index of an offset, and
 * the subcluster unit. One place for the shifts and masks the read and write paths share.
 *
 * @param clusterBits log2 of the cluster size (9 to 21)
 * @param extended extended L2 entries: 32 subclusters per cluster, two words per entry
 */
record ClusterGeometry(int clusterBits, boolean extended) {

  int clusterSize() {
    return 1 << clusterBits;
  }

  long clusterMask() {
    return (1L << clusterBits) - 1;
  }

  /** log2 of the entries per L2 table. */
  int l2Bits() {
    return clusterBits - (extended ? 4 : 3);
  }

  /** log2 of the guest bytes one L2 table maps. */
  int l1Shift() {
    return clusterBits + l2Bits();
  }

  /** log2 of the smallest unit a write allocates: a subcluster with extended L2, else a cluster. */
  int unitBits() {
    return extended ? clusterBits - 5 : clusterBits;
  }

  long l1Index(long pos) {
    return pos >>> l1Shift();
  }

  /** The L2 index of {@code pos} in its table. */
  int l2Index(long pos) {
    return (int) ((pos >>> clusterBits) & ((1 << l2Bits()) - 1));
  }

  /** Where L2 entry {@code idx}'s first word is in the table's array. */
  int wordIndex(int idx) {
    return extended ? 2 * idx : idx;
  }

  /** The L1 entries a disk of {@code size} bytes needs. */
  long l1Entries(long size) {
    return (size + (1L << l1Shift()) - 1) >>> l1Shift();
  }

  /** The subcluster bits {@code [off, off + len)} (inside one cluster) touch. */
  int subclusterMask(int off, int len) {
    int sa = off >>> unitBits();
    int sb = (off + len - 1) >>> unitBits();
    long m = ((1L << (sb + 1)) - 1) & ~((1L << sa) - 1);
    return (int) m;
  }
}
