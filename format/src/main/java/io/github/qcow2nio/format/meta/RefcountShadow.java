package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.RefcountOverflowException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The refcounts an image will have after an operation that must switch many structures at once
 * (the snapshot operations): changes go to copies of the refcount blocks they touch, never to the
 * live ones, and {@link #commit} places those copies and a new refcount table in clusters that are
 * free before and after. One header write then switches the refcount table together with the
 * tables it counts, so no crash can show new references with old counts or the reverse (which
 * {@code qemu-img check} would see as refcounts too low, or COPIED flags that disagree).
 *
 * <p>Only clusters free in the live refcounts are handed out: a cluster the operation frees is
 * still named by the live image until the switch, so it is never reused before it.
 */
public final class RefcountShadow {

  /** Names the live metadata a cluster would overwrite (QEMU's overlap check), or null. */
  @FunctionalInterface
  public interface Overlap {
    String hit(long offset);
  }

  /**
   * What {@link #commit} produced: the new refcount table and every new block, to be written
   * (and forced) before the header names them.
   */
  public record Commit(long[] table, long tableOffset, int tableClusters,
      Map<Long, byte[]> blocks) {}

  private final HostFile file;
  private final RefcountManager base;
  private final Overlap overlap;
  private final int clusterBits;
  private final int clusterSize;
  private final int order;
  private final int blockBits;
  private final long blockMask;
  private final long maxValue;
  private final long[] baseTable;
  private final long baseTableOffset;
  private final int baseTableClusters;
  private final TreeMap<Long, RefcountBlock> changed = new TreeMap<>();
  private long hint = 1;

  /** @param base the live refcounts, flushed: their blocks on disk are what they hold */
  public RefcountShadow(HostFile file, RefcountManager base, int refcountOrder, Overlap overlap) {
    this.file = file;
    this.base = base;
    this.overlap = overlap;
    this.clusterBits = base.clusterBits();
    this.clusterSize = 1 << clusterBits;
    this.order = refcountOrder;
    this.blockBits = clusterBits + 3 - order;
    this.blockMask = (1L << blockBits) - 1;
    this.maxValue = base.maxValue();
    this.baseTable = base.tableEntries();
    this.baseTableOffset = base.tableOffset();
    this.baseTableClusters = base.tableClusters();
  }

  /** The refcount of host cluster {@code index} after the operation. */
  public long get(long index) throws IOException {
    RefcountBlock b = changed.get(index >>> blockBits);
    return b != null ? b.get((int) (index & blockMask)) : base.get(index);
  }

  /** Adds {@code delta} (positive or negative) to the refcount of host cluster {@code index}. */
  public void add(long index, long delta) throws IOException {
    long v = get(index);
    long nv = v + delta;
    if (delta > 0 && (Long.compareUnsigned(nv, maxValue) > 0 || Long.compareUnsigned(nv, v) < 0)) {
      throw new RefcountOverflowException(file.name() + ": the refcount of host cluster " + index
          + " would exceed the " + (1 << order) + "-bit maximum "
          + Long.toUnsignedString(maxValue));
    }
    if (delta < 0 && Long.compareUnsigned(v, -delta) < 0) {
      throw new CorruptImageException("refcount of host cluster " + index,
          index << clusterBits, "dropping " + (-delta) + " references from a count of " + v);
    }
    block(index >>> blockBits).set((int) (index & blockMask), nv);
  }

  /** Adds {@code delta} to every cluster overlapping {@code [offset, offset + length)}. */
  public void addRange(long offset, long length, long delta) throws IOException {
    if (length <= 0) {
      return;
    }
    for (long c = offset >>> clusterBits; c <= (offset + length - 1) >>> clusterBits; c++) {
      add(c, delta);
    }
  }

  /**
   * Allocates {@code n} contiguous clusters free both now and after the operation (refcount 1
   * each) and returns the byte offset of the first.
   */
  public long allocate(long n) throws IOException {
    long start = hint;
    long run = 0;
    long c = hint;
    while (run < n) {
      if (((c + 1) << clusterBits) > Qcow2Limits.MAX_HOST_OFFSET + 1 || c < 0) {
        throw new Qcow2Exception(file.name() + ": no room for " + n
            + " more clusters below the 64 PiB host offset limit");
      }
      if (base.get(c) == 0 && get(c) == 0) {
        if (run == 0) {
          start = c;
        }
        run++;
      } else {
        run = 0;
      }
      c++;
    }
    // Nothing becomes free in the live refcounts during the operation: the scan never goes back.
    hint = start + n;
    for (long k = start; k < start + n; k++) {
      String hit = overlap.hit(k << clusterBits);
      if (hit != null) {
        throw new CorruptImageException("cluster allocation", k << clusterBits,
            "Preventing invalid write on metadata (overlaps with " + hit
                + "); the refcounts are wrong");
      }
      add(k, 1);
    }
    return start << clusterBits;
  }

  /**
   * Places every changed block and a new refcount table (the old table and the replaced blocks
   * freed in the new counts, which may change more blocks: repeated until nothing moves).
   */
  public Commit commit() throws IOException {
    Map<Long, Long> placed = new HashMap<>();
    long tableOffset = -1;
    int tableClusters = 0;
    while (true) {
      boolean moved = false;
      for (Long ti : new ArrayList<>(changed.keySet())) {
        if (!placed.containsKey(ti)) {
          placed.put(ti, allocate(1));
          long old = ti < baseTable.length ? baseTable[(int) (long) ti] : 0;
          if (old != 0) {
            add(old >>> clusterBits, -1);
          }
          moved = true;
        }
      }
      long entries = Math.max(baseTable.length, changed.isEmpty() ? 0 : changed.lastKey() + 1);
      long bytes = entries * 8;
      if (bytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
        throw new Qcow2Exception(file.name() + ": the refcount table would exceed "
            + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES + " bytes (" + entries + " entries)");
      }
      int need = (int) Math.max(baseTableClusters, (bytes + clusterSize - 1) >>> clusterBits);
      if (tableOffset < 0 || need > tableClusters) {
        if (tableOffset < 0) {
          addRange(baseTableOffset, (long) baseTableClusters * clusterSize, -1);
        } else {
          addRange(tableOffset, (long) tableClusters * clusterSize, -1);
        }
        tableOffset = allocate(need);
        tableClusters = need;
        moved = true;
      }
      if (!moved) {
        break;
      }
    }
    long[] table = Arrays.copyOf(baseTable, tableClusters * (clusterSize / 8));
    Map<Long, byte[]> blocks = new HashMap<>();
    for (Map.Entry<Long, Long> e : placed.entrySet()) {
      table[(int) (long) e.getKey()] = e.getValue();
      blocks.put(e.getValue(), changed.get(e.getKey()).bytes());
    }
    return new Commit(table, tableOffset, tableClusters, blocks);
  }

  /** Writes a commit's blocks and table (not forced: the caller forces before the switch). */
  public void write(Commit c) throws IOException {
    List<Long> offsets = new ArrayList<>(c.blocks().keySet());
    offsets.sort(null);
    for (long off : offsets) {
      file.write(ByteBuffer.wrap(c.blocks().get(off)), off);
    }
    ByteBuffer t = ByteBuffer.allocate(c.tableClusters() * clusterSize);
    t.asLongBuffer().put(c.table());
    file.write(t, c.tableOffset());
  }

  private RefcountBlock block(long ti) throws IOException {
    RefcountBlock b = changed.get(ti);
    if (b != null) {
      return b;
    }
    byte[] bytes = new byte[clusterSize];
    long off = ti < baseTable.length ? baseTable[(int) ti] : 0;
    if (off != 0) {
      if ((off & (clusterSize - 1)) != 0) {
        throw new CorruptImageException("refcount table entry " + ti, baseTableOffset + 8 * ti,
            String.format("refcount block offset 0x%x is not cluster-aligned", off));
      }
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      int n = file.read(buf, off);
      if (n != clusterSize) {
        throw new CorruptImageException("refcount block", off,
            "lies past the end of " + file.name());
      }
    }
    b = new RefcountBlock(bytes, order);
    changed.put(ti, b);
    return b;
  }
}
