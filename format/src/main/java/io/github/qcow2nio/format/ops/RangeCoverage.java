package io.github.qcow2nio.format.ops;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ranges that several tables may share (the L1 tables of snapshots, the tables of bitmaps, the
 * clusters they occupy), turned into disjoint pieces, each with how many ranges cover it. A
 * check walks each piece once and counts it that many times: its work is bounded by the union
 * of the ranges, which lies in the file, and not by the number of tables times their claimed
 * size (65,536 snapshots naming one 32 MiB L1 table would otherwise cost 2^38 steps).
 *
 * <p>Ranges are half-open, in any unit (words, clusters). One range may be marked (the active
 * L1 table); each piece also says whether the marked range covers it.
 */
final class RangeCoverage {
  /** What a walk does with one piece: {@code count} ranges cover [start, end). */
  @FunctionalInterface
  interface Piece {
    void accept(long start, long end, long count, boolean marked) throws IOException;
  }

  private final long[] segStart;
  private final long[] segEnd;
  private final long[] segCount;
  private final boolean[] segMarked;
  private final int segments;
  /** Pieces already visited by {@link #visitNew}: start to end, disjoint. */
  private final TreeMap<Long, Long> visited = new TreeMap<>();

  /**
   * The coverage of {@code n} ranges [starts[i], ends[i]); range {@code marked} (or -1 for none)
   * is the marked one. Empty ranges cover nothing.
   */
  RangeCoverage(long[] starts, long[] ends, int n, int marked) {
    // Events as position * 4 + kind, sorted: ends (0, 1) sort before starts (2, 3) at one
    // position, which keeps half-open ranges apart. Positions are below 2^61.
    long[] events = new long[2 * n];
    int e = 0;
    for (int i = 0; i < n; i++) {
      if (starts[i] >= ends[i]) {
        continue;
      }
      int m = i == marked ? 1 : 0;
      events[e++] = (starts[i] << 2) | 2 | m;
      events[e++] = (ends[i] << 2) | m;
    }
    Arrays.sort(events, 0, e);
    long[] s = new long[Math.max(1, e)];
    long[] en = new long[Math.max(1, e)];
    long[] c = new long[Math.max(1, e)];
    boolean[] mk = new boolean[Math.max(1, e)];
    int k = 0;
    long count = 0;
    int markedCount = 0;
    long prev = 0;
    for (int i = 0; i < e; i++) {
      long pos = events[i] >>> 2;
      if (count > 0 && pos > prev) {
        s[k] = prev;
        en[k] = pos;
        c[k] = count;
        mk[k] = markedCount > 0;
        k++;
      }
      int kind = (int) (events[i] & 3);
      long delta = (kind & 2) != 0 ? 1 : -1;
      count += delta;
      if ((kind & 1) != 0) {
        markedCount += (int) delta;
      }
      prev = pos;
    }
    this.segStart = s;
    this.segEnd = en;
    this.segCount = c;
    this.segMarked = mk;
    this.segments = k;
  }

  /** Every covered piece, in order of position. */
  void forEach(Piece p) throws IOException {
    for (int i = 0; i < segments; i++) {
      p.accept(segStart[i], segEnd[i], segCount[i], segMarked[i]);
    }
  }

  /**
   * The pieces of [start, end) that no earlier call visited, in order of position, each with
   * its whole count (the ranges that cover it later included); then [start, end) counts as
   * visited. Called range by range in the order a check walks its tables, each word is walked
   * once, at the first table that holds it.
   */
  void visitNew(long start, long end, Piece p) throws IOException {
    long at = start;
    while (at < end) {
      Map.Entry<Long, Long> before = visited.floorEntry(at);
      if (before != null && before.getValue() > at) {
        at = before.getValue();
        continue;
      }
      Map.Entry<Long, Long> next = visited.higherEntry(at);
      long stop = next == null ? end : Math.min(end, next.getKey());
      if (stop > at) {
        pieces(at, stop, p);
      }
      at = stop;
    }
    markVisited(start, end);
  }

  private void pieces(long start, long end, Piece p) throws IOException {
    int i = firstSegmentEndingAfter(start);
    for (; i < segments && segStart[i] < end; i++) {
      long a = Math.max(start, segStart[i]);
      long b = Math.min(end, segEnd[i]);
      if (a < b) {
        p.accept(a, b, segCount[i], segMarked[i]);
      }
    }
  }

  private int firstSegmentEndingAfter(long pos) {
    int lo = 0;
    int hi = segments;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (segEnd[mid] <= pos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void markVisited(long start, long end) {
    if (start >= end) {
      return;
    }
    long s = start;
    long e = end;
    Map.Entry<Long, Long> before = visited.floorEntry(s);
    if (before != null && before.getValue() >= s) {
      s = before.getKey();
      e = Math.max(e, before.getValue());
    }
    Map.Entry<Long, Long> next = visited.ceilingEntry(s);
    while (next != null && next.getKey() <= e) {
      e = Math.max(e, next.getValue());
      visited.remove(next.getKey());
      next = visited.ceilingEntry(s);
    }
    visited.put(s, e);
  }
}
