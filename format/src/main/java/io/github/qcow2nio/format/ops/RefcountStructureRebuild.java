package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes a whole new refcount structure from counted references, as {@code qemu-img check -r
 * all} does when the old one cannot be trusted (a referenced cluster with refcount 0, a refcount
 * block that is misplaced or shared): every refcount block range holding a nonzero count gets a
 * new block at the first cluster no reference uses, at or after the range's start; then the new
 * table goes to the first free run from the start of the image, and the ranges it lands in are
 * written again, until the table stops growing. The same placement as QEMU's, so that the
 * repaired image has the same layout and end offset.
 *
 * <p>Crash safety: the new blocks and table are written only into clusters nothing references
 * (the counts include the old structure), and forced, before the header is switched with one
 * 12-byte write, which is forced too. Before that write the old structure is untouched; after it
 * the new one is complete. The old structure becomes leaked clusters, which the caller frees.
 */
final class RefcountStructureRebuild {
  private final HostFile file;
  private final int clusterBits;
  private final int cs;
  private final int order;
  private final int blockBits;
  private int[] counts;
  private long clusters;
  private long[] table = new long[0];

  private RefcountStructureRebuild(HostFile file, Header h, int[] counts, long clusters) {
    this.file = file;
    this.clusterBits = h.clusterBits();
    this.cs = h.clusterSize();
    this.order = h.refcountOrder();
    this.blockBits = clusterBits + 3 - order;
    this.counts = counts.clone();
    this.clusters = clusters;
  }

  /** Rebuilds; {@code counts} holds the references of clusters 0 to {@code clusters - 1}. */
  static void run(HostFile file, HeaderUpdater hu, int[] counts, long clusters)
      throws IOException {
    RefcountStructureRebuild r = new RefcountStructureRebuild(file, hu.header(), counts,
        clusters);
    boolean grown = r.writeBlocks(0, r.clusters);
    long tableOffset;
    int tableClusters;
    do {
      long bytes = 8L * r.table.length;
      tableClusters = (int) ((bytes + r.cs - 1) >>> r.clusterBits);
      long[] first = {0};
      tableOffset = r.allocate(tableClusters, first);
      long start = tableOffset >>> r.clusterBits;
      grown = r.writeBlocks(start, start + tableClusters);
    } while (grown);
    ByteBuffer t = ByteBuffer.allocate(r.table.length * 8);
    t.asLongBuffer().put(r.table);
    file.write(t, tableOffset);
    file.force();
    hu.setRefcountTable(tableOffset, tableClusters);
    file.force();
  }

  /**
   * Writes the block of every range with a nonzero count among clusters [from, to), allocating
   * blocks as needed; returns true when the table had to grow.
   */
  private boolean writeBlocks(long from, long to) throws IOException {
    boolean grown = false;
    long[] firstFree = {0};
    long end = to;
    for (long c = from; c < end; c++) {
      if (count(c) == 0) {
        continue;
      }
      int index = (int) (c >>> blockBits);
      long rangeStart = (long) index << blockBits;
      long blockOffset;
      if (index < table.length && table[index] != 0) {
        blockOffset = table[index];
      } else {
        // Never inside a range whose block is already written: its counts would go stale.
        firstFree[0] = Math.max(firstFree[0], rangeStart);
        blockOffset = allocate(1, firstFree);
        end = Math.max(end, (blockOffset >>> clusterBits) + 1);
        if (index >= table.length) {
          int perCluster = cs / 8;
          int entries = (int) (((index + 1L) * 8 + cs - 1) / cs * perCluster);
          table = Arrays.copyOf(table, entries);
          grown = true;
        }
        table[index] = blockOffset;
      }
      RefcountBlock block = new RefcountBlock(new byte[cs], order);
      long n = 1L << blockBits;
      for (long i = 0; i < n; i++) {
        long v = count(rangeStart + i);
        if (v != 0) {
          block.set((int) i, v);
        }
      }
      file.write(ByteBuffer.wrap(block.bytes()), blockOffset);
      c = rangeStart + n - 1;
    }
    return grown;
  }

  /** {@code n} contiguous clusters that no reference uses, first fit from {@code first[0]}. */
  private long allocate(int n, long[] first) {
    long c = first[0];
    int run = 0;
    boolean firstGap = true;
    for (; c < clusters && run < n; c++) {
      if (count(c) == 0) {
        run++;
        if (firstGap) {
          first[0] = c;
          firstGap = false;
        }
      } else {
        run = 0;
      }
    }
    if (run < n) {
      grow(c + n - run);
    }
    c -= run;
    for (int i = 0; i < n; i++) {
      counts[(int) (c + i)] = 1;
    }
    return c << clusterBits;
  }

  private long count(long c) {
    return c < counts.length ? Integer.toUnsignedLong(counts[(int) c]) : 0;
  }

  private void grow(long newClusters) {
    if (newClusters > counts.length) {
      counts = Arrays.copyOf(counts, (int) newClusters);
    }
    clusters = Math.max(clusters, newClusters);
  }
}
