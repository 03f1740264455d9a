package io.github.qcow2nio.format.disk;

/**
 * A refcount decrement waiting for the flush that makes the dropping structure durable: one
 * reference off every host cluster overlapping {@code [start, end)}.
 *
 * @param kind what the range held, which decides what else its release touches
 */
record PendingFree(long start, long end, Kind kind) {

  enum Kind {
    /** A guest data cluster. */
    DATA,
    /** An L2 table: dropped from the cache once nothing references it. */
    L2_TABLE,
    /** Compressed bytes (possibly sharing host clusters with others): readers' caches move on. */
    COMPRESSED,
    /** A replaced L1 table. */
    TABLE
  }

  PendingFree {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("empty or negative range [" + start + ", " + end + ")");
    }
  }

  /** What remains once host cluster {@code cluster} has been released; null when nothing. */
  PendingFree after(long cluster, int clusterBits) {
    long next = (cluster + 1) << clusterBits;
    return next >= end ? null : new PendingFree(next, end, kind);
  }
}
