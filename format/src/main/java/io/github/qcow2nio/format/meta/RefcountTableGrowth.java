package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Moves the refcount table to a bigger copy when a refcount block is needed past its end.
 *
 * <p>The copy and the refcount blocks that describe it go past every cluster the old table
 * covers, where no block exists yet: they describe themselves, so nothing has to be allocated
 * through the table that is being replaced. About 1.5x per step, up to QEMU's 8 MiB limit.
 */
final class RefcountTableGrowth {
  private final RefcountManager refcounts;
  private final HostFile file;
  private final HeaderUpdater header;
  private final RefcountBlockCache cache;
  private final int clusterBits;
  private final int clusterSize;
  private final int order;
  private final int blockBits;
  private final long blockMask;

  RefcountTableGrowth(RefcountManager refcounts, HostFile file, HeaderUpdater header,
      RefcountBlockCache cache, int clusterBits, int order) {
    this.refcounts = refcounts;
    this.file = file;
    this.header = header;
    this.cache = cache;
    this.clusterBits = clusterBits;
    this.clusterSize = 1 << clusterBits;
    this.order = order;
    this.blockBits = clusterBits + 3 - order;
    this.blockMask = (1L << blockBits) - 1;
  }

  /**
   * Grows {@code table} (the live refcount table) to hold index {@code ti}, placing the copy at or
   * above cluster {@code floor}.
   */
  void grow(long[] table, long floor, long ti) throws IOException {
    long oldCap = table.length;
    long perCluster = clusterSize / 8;
    long s = Math.max(oldCap << blockBits, floor);
    long newCap = roundUp(Math.max(ti + 1, oldCap + (oldCap + 1) / 2), perCluster);
    long tClusters;
    long nb;
    // The blocks must cover the table and themselves, and the table must hold the blocks'
    // entries: iterate until both fit.
    while (true) {
      tClusters = newCap / perCluster;
      nb = 0;
      while (true) {
        long end = s + nb + tClusters;
        long need = ((end - 1) >>> blockBits) - (s >>> blockBits) + 1;
        if (need <= nb) {
          break;
        }
        nb = need;
      }
      long lastTi = (s + nb + tClusters - 1) >>> blockBits;
      if (lastTi < newCap) {
        break;
      }
      newCap = roundUp(lastTi + 1, perCluster);
    }
    if (newCap * 8 > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      throw new Qcow2Exception(file.name() + ": the refcount table would exceed "
          + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES + " bytes (" + newCap + " entries)");
    }
    long firstTi = s >>> blockBits;
    RefcountBlock[] blocks = new RefcountBlock[(int) nb];
    for (int k = 0; k < nb; k++) {
      blocks[k] = new RefcountBlock(new byte[clusterSize], order);
    }
    for (long cl = s; cl < s + nb + tClusters; cl++) {
      blocks[(int) ((cl >>> blockBits) - firstTi)].set((int) (cl & blockMask), 1);
    }
    long[] newTable = Arrays.copyOf(table, (int) newCap);
    // Block k sits at cluster s + k and describes table index firstTi + k.
    for (int k = 0; k < nb; k++) {
      newTable[(int) (firstTi + k)] = (s + k) << clusterBits;
      file.write(ByteBuffer.wrap(blocks[k].bytes()), (s + k) << clusterBits);
    }
    long newOffset = (s + nb) << clusterBits;
    ByteBuffer tb = ByteBuffer.allocate((int) (tClusters * clusterSize));
    tb.asLongBuffer().put(newTable);
    file.write(tb, newOffset);
    file.force();
    // The new table is durable and holds every entry of the old one. Memory switches before the
    // header does: once the header's write starts, the file may name either table, and later
    // changes must go to the new one. A header write that fails is written again by the next
    // flush (HeaderUpdater); the old table is then never freed, a leak.
    long oldOffset = refcounts.tableOffset();
    int oldClusters = refcounts.tableClusters();
    refcounts.switchTable(newTable, newOffset, (int) tClusters);
    for (int k = 0; k < nb; k++) {
      cache.put((s + k) << clusterBits, blocks[k]);
      refcounts.addBlock((s + k) << clusterBits);
    }
    header.setRefcountTable(newOffset, (int) tClusters);
    file.force();
    cache.evict();
    refcounts.free(oldOffset, (long) oldClusters * clusterSize);
  }

  private static long roundUp(long v, long m) {
    return (v + m - 1) / m * m;
  }
}
