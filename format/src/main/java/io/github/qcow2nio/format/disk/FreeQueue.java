package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Refcount decrements waiting for the flush that makes the structure which dropped the reference
 * durable (a lost decrement is only a leak; an early one could free a cluster still referenced).
 */
final class FreeQueue {
  /** Past this many, an operation flushes at its end instead of waiting for the next flush. */
  static final int BACKLOG = 4096;

  private final ArrayDeque<PendingFree> pending = new ArrayDeque<>();
  private final int clusterBits;

  FreeQueue(int clusterBits) {
    this.clusterBits = clusterBits;
  }

  void add(long offset, long length, PendingFree.Kind kind) {
    pending.add(new PendingFree(offset, offset + length, kind));
  }

  /** Every host cluster a compressed cluster's bytes touch. */
  void addCompressed(long word) {
    CompressedDescriptor d = CompressedDescriptor.decode(word, clusterBits);
    long start = d.offset() & ~511L;
    long length = (d.additionalSectors() + 1L) * 512;
    add(start, length, PendingFree.Kind.COMPRESSED);
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  boolean overBacklog() {
    return pending.size() > BACKLOG;
  }

  /**
   * Applies the decrements (their dropping structures are durable), one host cluster at a time,
   * taking each off the queue as it is applied: a failure part-way leaves exactly the decrements
   * not yet made, so a retried flush never applies one twice.
   */
  void applyDecrements(RefcountManager refcounts, L2Cache l2Cache, Qcow2Disk disk)
      throws IOException {
    PendingFree f;
    while ((f = pending.peekFirst()) != null) {
      long cluster = f.start() >>> clusterBits;
      if (f.kind() == PendingFree.Kind.COMPRESSED) {
        // Readers cache decompressed clusters by host offset: this one may be reused.
        disk.compressedClusters().invalidate();
      }
      refcounts.decrement(cluster);
      if (f.kind() == PendingFree.Kind.L2_TABLE && refcounts.get(cluster) == 0) {
        l2Cache.invalidate(cluster << clusterBits);
      }
      pending.pollFirst();
      PendingFree rest = f.after(cluster, clusterBits);
      if (rest != null) {
        pending.addFirst(rest);
      }
    }
  }
}
