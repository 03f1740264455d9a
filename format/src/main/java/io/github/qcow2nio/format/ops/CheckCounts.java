package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a reference walk counts: one counter per cluster of the file (as {@code qemu-img check}
 * counts references in memory), the corruptions, and the problem lines it prints. A reference
 * may count several times at once ({@link #errorWeight}: a table that many tables share), and
 * the clusters of tables are counted by the union of their ranges ({@link #deferRegion}).
 */
final class CheckCounts {
  /** Clusters counted in memory at most (4 bytes each): a bigger image is a check error. */
  static final long MAX_CLUSTERS = 1L << 27;

  final MessageBudget out;
  int[] refs;
  long clusters;
  long corruptions;
  /** How many times the problem being reported counts (tables sharing what has it). */
  long errorWeight = 1;
  /** While an L2 table is walked: its lines, to print again at its further references. */
  List<String> replay;
  private final long fileSize;
  private final int cs;
  private final int clusterBits;
  private final long maxRefcount;
  private final Regions regions = new Regions();

  CheckCounts(Consumer<String> messages, Header h, long fileSize, String fileName)
      throws IOException {
    this.out = new MessageBudget(messages);
    this.fileSize = fileSize;
    this.cs = h.clusterSize();
    this.clusterBits = h.clusterBits();
    this.maxRefcount = h.refcountOrder() == 6 ? Long.MAX_VALUE : (1L << h.refcountBits()) - 1;
    this.clusters = (fileSize + cs - 1) >>> clusterBits;
    if (clusters > MAX_CLUSTERS) {
      throw new IOException(fileName + ": " + clusters + " clusters are too many to check "
          + "in memory");
    }
    this.refs = new int[(int) clusters];
  }

  /** The table regions {@link #deferRegion} collected, counted by their union. */
  void applyRegions() throws IOException {
    regions.apply();
  }

  /**
   * A problem, counted {@code errorWeight} times. Outside an L2 walk it is printed as often;
   * inside, once, and kept to print again at the table's further references.
   */
  void error(String message) {
    error(() -> message);
  }

  /** As {@link #error(String)}, the line made only while lines are still shown. */
  void error(Supplier<String> line) {
    corruptions += errorWeight;
    if (!out.open()) {
      out.skip();
      return;
    }
    String message = line.get();
    if (replay != null) {
      out.print(message);
      if (out.open()) {
        replay.add(message);
      }
    } else {
      out.print(message, errorWeight);
    }
  }

  /** Whether [offset, offset + size) may be counted; if not, the error qemu's check prints. */
  boolean countable(long offset, long size) {
    if (size <= 0) {
      return false;
    }
    // The last cluster may be partly past the end of the file, never a whole cluster. Written
    // without offset + size, which a hostile offset near 2^63 overflows; a negative offset (a
    // snapshot's L1 offset is not masked) is past any end.
    if (offset < 0 || offset >= fileSize + cs - size) {
      error(() -> "ERROR: counting reference for region exceeding the end of the file by one "
          + "cluster or more: offset 0x" + Long.toHexString(offset) + " size 0x"
          + Long.toHexString(size));
      return false;
    }
    long last = (offset + size - 1) >>> clusterBits;
    if (last >= clusters) {
      clusters = last + 1;
      refs = Arrays.copyOf(refs, (int) clusters);
    }
    return true;
  }

  /** {@code errorWeight} references to every cluster of [offset, offset + size). */
  void inc(long offset, long size) {
    if (!countable(offset, size)) {
      return;
    }
    long last = (offset + size - 1) >>> clusterBits;
    for (long c = offset >>> clusterBits; c <= last; c++) {
      add(c, errorWeight);
    }
  }

  /**
   * One reference to every cluster of a table's region, counted when all tables are known:
   * tables that overlap are then counted by their union, not one by one.
   */
  void deferRegion(long offset, long size) {
    if (countable(offset, size)) {
      regions.add(offset >>> clusterBits, ((offset + size - 1) >>> clusterBits) + 1);
    }
  }

  /** {@code weight} references to cluster {@code c}; past the refcount's maximum, errors. */
  void add(long c, long weight) {
    int k = (int) c;
    long max = Math.min(maxRefcount, 0xFFFFFFFFL);
    long now = Integer.toUnsignedLong(refs[k]);
    if (weight <= max - now) {
      refs[k] = (int) (now + weight);
      return;
    }
    refs[k] = (int) max;
    long excess = weight - (max - now);
    corruptions += excess;
    for (long i = 0; i < excess && out.open(); i++) {
      out.print("ERROR: overflow cluster offset=0x" + Long.toHexString(c << clusterBits));
      out.print("Use qemu-img amend to increase the refcount entry width or "
          + "qemu-img convert to create a clean copy if the image cannot be opened for writing");
    }
  }

  /** The cluster ranges of table regions, counted together by {@link #apply}. */
  private final class Regions {
    private long[] start = new long[16];
    private long[] end = new long[16];
    private int n;

    void add(long first, long endCluster) {
      if (n == start.length) {
        start = Arrays.copyOf(start, 2 * n);
        end = Arrays.copyOf(end, 2 * n);
      }
      start[n] = first;
      end[n++] = endCluster;
    }

    void apply() throws IOException {
      new RangeCoverage(start, end, n, -1).forEach((a, b, count, marked) -> {
        for (long c = a; c < b; c++) {
          CheckCounts.this.add(c, count);
        }
      });
      n = 0;
    }
  }
}
