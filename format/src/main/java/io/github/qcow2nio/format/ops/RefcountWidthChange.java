package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * {@code qemu-img amend -o refcount_bits=N}: the refcount table and blocks rewritten in another
 * width. Crash-safe as the snapshot operations are: the new blocks and table go into clusters
 * free in the live refcounts (first-fit, blocks then table, as QEMU places them), are forced,
 * one header write names the new table and width together, and that is forced. Until that write
 * the old structures are the live ones and the new ones unreferenced (leaks at worst); after it
 * the old ones count 0 in the new table, so they are free rather than leaked.
 *
 * <p>Works on a flushed, quiescent file (the caller holds the image's lock and no cache).
 */
final class RefcountWidthChange {
  /** The refcounts are held in memory; past this many clusters the change is refused. */
  static final long MAX_CLUSTERS = 1L << 26;

  private RefcountWidthChange() {}

  /** Rewrites the structures of {@code h} in width 2^{@code newOrder}; returns the new header. */
  static Header run(HostFile file, Header h, int newOrder, ProgressListener listener,
      long[] blocksWritten) throws IOException {
    int clusterBits = h.clusterBits();
    int clusterSize = 1 << clusterBits;
    int oldOrder = h.refcountOrder();
    long tableBytes = (long) h.refcountTableClusters() * clusterSize;
    if (tableBytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      throw new CorruptImageException("refcount table", h.refcountTableOffset(),
          "at most " + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES + " bytes, not " + tableBytes);
    }
    long[] oldTable = readTable(file, h.refcountTableOffset(), (int) tableBytes);
    long perOld = RefcountBlock.entries(clusterBits, oldOrder);
    long last = -1;
    for (int i = 0; i < oldTable.length; i++) {
      if (oldTable[i] != 0) {
        last = Math.max(last, (i + 1) * perOld - 1);
      }
    }
    long n = last + 1;
    if (n > MAX_CLUSTERS) {
      throw new Qcow2Exception(file.name() + ": the refcount table covers " + n
          + " clusters; changing the refcount width is supported up to " + MAX_CLUSTERS);
    }
    long[] old = new long[(int) n];
    BitSet oldMeta = new BitSet();
    markRange(oldMeta, h.refcountTableOffset() >>> clusterBits, h.refcountTableClusters());
    for (int i = 0; i < oldTable.length; i++) {
      long off = oldTable[i] & ~((long) clusterSize - 1) & 0x00ff_ffff_ffff_ffffL;
      if (oldTable[i] == 0) {
        continue;
      }
      if ((oldTable[i] & (clusterSize - 1)) != 0) {
        throw new CorruptImageException("refcount table entry " + i,
            h.refcountTableOffset() + 8L * i, "a cluster-aligned refcount block offset");
      }
      ByteBuffer b = ByteBuffer.allocate(clusterSize);
      file.readOrZero(b, off);
      RefcountBlock block = new RefcountBlock(b.array(), oldOrder);
      for (int j = 0; j < perOld; j++) {
        long index = i * perOld + j;
        if (index < n) {
          old[(int) index] = block.get(j);
        }
      }
      oldMeta.set((int) Math.min(off >>> clusterBits, Integer.MAX_VALUE));
      checkCancel(listener);
    }
    long newMax = RefcountBlock.maxValue(newOrder);
    for (int c = 0; c < n; c++) {
      if (newOrder < 6 && Long.compareUnsigned(old[c], newMax) > 0) {
        throw new Qcow2Exception("Cannot decrease refcount entry width to " + (1 << newOrder)
            + " bits: Cluster at offset 0x" + Long.toHexString((long) c << clusterBits)
            + " has a refcount of " + old[c]);
      }
    }
    long used = 0;
    for (int c = 0; c < n; c++) {
      if (old[c] != 0 && !oldMeta.get(c)) {
        used = c + 1;
      }
    }
    long perNew = RefcountBlock.entries(clusterBits, newOrder);
    // Grow the counts until the new structures cover themselves (and, as in qemu-img, no more
    // than the last cluster in use: the old structures' own clusters become free).
    long blocks = Math.max(1, (used + perNew - 1) / perNew);
    long[] blockAt;
    long tableAt;
    int tableClusters;
    while (true) {
      tableClusters = (int) Math.max(1, (blocks * 8 + clusterSize - 1) >>> clusterBits);
      BitSet taken = new BitSet();
      blockAt = new long[(int) blocks];
      long hint = 1;
      for (int k = 0; k < blocks; k++) {
        hint = firstFree(old, oldMeta, taken, hint, 1);
        blockAt[k] = hint;
        taken.set((int) hint);
      }
      tableAt = firstFree(old, oldMeta, taken, 1, tableClusters);
      long end = tableAt + tableClusters;
      for (long b : blockAt) {
        end = Math.max(end, b + 1);
      }
      long cover = Math.max(used, end);
      if ((cover + perNew - 1) / perNew <= blocks) {
        break;
      }
      blocks = (cover + perNew - 1) / perNew;
    }
    long total = blocks + 1;
    byte[][] newBlocks = new byte[(int) blocks][];
    for (int k = 0; k < blocks; k++) {
      newBlocks[k] = new byte[clusterSize];
    }
    RefcountBlock[] views = new RefcountBlock[(int) blocks];
    for (int k = 0; k < blocks; k++) {
      views[k] = new RefcountBlock(newBlocks[k], newOrder);
    }
    for (int c = 0; c < n; c++) {
      long v = oldMeta.get(c) ? 0 : old[c];
      if (v != 0) {
        views[(int) (c / perNew)].set((int) (c % perNew), v);
      }
    }
    for (long b : blockAt) {
      views[(int) (b / perNew)].set((int) (b % perNew), 1);
    }
    for (long t = tableAt; t < tableAt + tableClusters; t++) {
      views[(int) (t / perNew)].set((int) (t % perNew), 1);
    }
    for (int k = 0; k < blocks; k++) {
      file.write(ByteBuffer.wrap(newBlocks[k]), blockAt[k] << clusterBits);
      listener.progress(k + 1, total);
      checkCancel(listener);
    }
    ByteBuffer table = ByteBuffer.allocate(tableClusters * clusterSize);
    for (int k = 0; k < blocks; k++) {
      table.putLong(k * 8, blockAt[k] << clusterBits);
    }
    file.write(table, tableAt << clusterBits);
    file.force();
    checkCancel(listener);
    Header next = h.toBuilder().refcountTableOffset(tableAt << clusterBits)
        .refcountTableClusters(tableClusters).refcountOrder(newOrder).build();
    // The switch: offset, size and width sit in the header's first sector, one write.
    file.write(ByteBuffer.wrap(next.toBytes()), 0);
    file.force();
    listener.progress(total, total);
    blocksWritten[0] = blocks;
    return next;
  }

  /** First-fit over clusters free in the live refcounts, never a live refcount structure. */
  private static long firstFree(long[] old, BitSet oldMeta, BitSet taken, long from, int run) {
    long start = from;
    long len = 0;
    for (long c = from; ; c++) {
      boolean free = (c >= old.length || old[(int) c] == 0) && !taken.get((int) c)
          && !oldMeta.get((int) c);
      if (free) {
        if (len == 0) {
          start = c;
        }
        if (++len == run) {
          return start;
        }
      } else {
        len = 0;
      }
    }
  }

  private static void markRange(BitSet set, long first, int count) {
    for (long c = first; c < first + count && c < Integer.MAX_VALUE; c++) {
      set.set((int) c);
    }
  }

  private static long[] readTable(HostFile file, long offset, int bytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    file.readOrZero(b, offset);
    long[] t = new long[bytes / 8];
    b.clear().asLongBuffer().get(t);
    return t;
  }

  static void checkCancel(ProgressListener listener) throws InterruptedIOException {
    if (listener.cancelled() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("amend cancelled");
    }
  }
}
