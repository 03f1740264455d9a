package io.github.qcow2nio.format;

import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.struct.Header;

/**
 * How many L2 tables a disk's cache holds: by default enough to map the whole disk, as QEMU sizes
 * its cache, at most 32 MiB; the caller's budget when one is given. A writable open also needs
 * room for dirty tables, which stay cached until a flush.
 */
final class L2CacheSizing {
  private L2CacheSizing() {}

  static int capacity(Header header, long size, OpenOptions options) {
    boolean ext = header.hasExtendedL2();
    long budget = options.l2CacheBytes();
    if (budget == 0) {
      long coveredPerTable = 1L << (header.clusterBits() + header.clusterBits() - (ext ? 4 : 3));
      long tables = Math.max(1, (size + coveredPerTable - 1) / coveredPerTable);
      budget = tables * header.clusterSize();
    }
    int capacity = options.l2CacheBytes() == 0 && budget > OpenOptions.DEFAULT_MAX_L2_CACHE
        // The default's bound is on the heap the cache holds, bookkeeping included.
        ? L2Cache.capacityWithin(OpenOptions.DEFAULT_MAX_L2_CACHE, header.clusterSize())
        : L2Cache.capacityFor(budget, header.clusterSize());
    if (options.writable()) {
      // Dirty tables stay cached until a flush, and a cache full of them costs a flush (four
      // forces): room for QEMU's default budget in tables, whatever the size at open (a disk may
      // grow), unless the caller set a budget. Tables take memory only once used.
      int room = options.l2CacheBytes() == 0
          ? Math.min(8192, L2Cache.capacityWithin(OpenOptions.DEFAULT_MAX_L2_CACHE,
              header.clusterSize()))
          : Math.min(16, Math.max(4, (4 << 20) / header.clusterSize()));
      capacity = Math.max(capacity, room);
    }
    return capacity;
  }
}
