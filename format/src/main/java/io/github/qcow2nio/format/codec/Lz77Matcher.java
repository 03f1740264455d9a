package io.github.qcow2nio.format.codec;

import java.util.Arrays;

/**
 * Finds deflate's literals and back-references in one cluster, with lazy matching (RFC 1951,
 * section 4) and the parameters QEMU's zlib setting uses (level 6: chains of 128, lazy up to 16,
 * good 8, nice 128) and never farther back than a 4 KiB window allows: QEMU inflates with
 * windowBits -12, so a longer distance makes the cluster unreadable to it. The farthest distance
 * is zlib's for that window (4096 - 262), so streams look like QEMU's own.
 *
 * <p>Symbols go to a {@link Sink} in blocks of at most {@link #BLOCK_SYMBOLS}, the buffer size of
 * zlib's memLevel 9. One instance per thread: it keeps its hash tables.
 */
final class Lz77Matcher {
  static final int MAX_DISTANCE = 4096 - 262;
  static final int BLOCK_SYMBOLS = 32767;
  private static final int MIN_MATCH = 3;
  private static final int MAX_MATCH = 258;
  private static final int MAX_CHAIN = 128;
  private static final int MAX_LAZY = 16;
  private static final int GOOD_LENGTH = 8;
  private static final int NICE_LENGTH = 128;
  private static final int HASH_BITS = 16;

  /** Receives each block's symbols: {@code lengths[i]} a literal byte when {@code dists[i]} is 0. */
  interface Sink {
    void block(char[] lengths, char[] dists, int count, int from, int to, boolean last);
  }

  // head holds positions plus base: entries from earlier clusters fall below base and count as
  // empty, so small clusters do not pay for clearing the table.
  private final int[] head = new int[1 << HASH_BITS];
  private int base;
  private int lastN;
  // Chain links by position modulo the window: a chain stops at MAX_DISTANCE < WINDOW, before any
  // slot it would read was reused, and a 16 KiB array stays in cache.
  private static final int WINDOW = 4096;
  private final int[] prev = new int[WINDOW];
  private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles
      .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final java.lang.invoke.VarHandle SHORTS = java.lang.invoke.MethodHandles
      .byteArrayViewVarHandle(short[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private final char[] lengths = new char[BLOCK_SYMBOLS];
  private final char[] dists = new char[BLOCK_SYMBOLS];
  private int count;
  private int blockStart;
  private byte[] src;
  private int n;
  private int found;

  /** Turns {@code src[0..n)} into blocks of symbols for {@code sink}. */
  void run(byte[] src, int n, Sink sink) {
    this.src = src;
    this.n = n;
    // Above every entry of the last cluster, whose positions were below lastN.
    if (base > Integer.MAX_VALUE - lastN - n - 2) {
      Arrays.fill(head, 0);
      base = 0;
    }
    base += lastN + 1;
    lastN = n;
    count = 0;
    blockStart = 0;
    boolean pending = false;
    int prevLength = MIN_MATCH - 1;
    int prevDistance = 0;
    int p = 0;
    while (p < n) {
      int length = MIN_MATCH - 1;
      int candidate = insert(p);
      if (candidate >= 0 && p - candidate <= MAX_DISTANCE
          && (!pending || prevLength < MAX_LAZY)) {
        length = longestMatch(p, candidate, pending ? prevLength : MIN_MATCH - 1);
      }
      int distance = length >= MIN_MATCH ? p - found : 0;
      if (pending) {
        if (prevLength >= MIN_MATCH && length <= prevLength) {
          int end = p - 1 + prevLength;
          emit(prevLength, prevDistance, end, sink);
          for (int q = p + 1; q < end; q++) {
            insert(q);
          }
          p = end;
          pending = false;
          continue;
        }
        emit(src[p - 1] & 0xFF, 0, p, sink);
      }
      pending = true;
      prevLength = length;
      prevDistance = distance;
      p++;
    }
    if (pending) {
      emit(src[n - 1] & 0xFF, 0, n, sink);
    }
    sink.block(lengths, dists, count, blockStart, n, true);
  }

  /** Adds position {@code p} to the hash chains; returns the previous position of its hash. */
  private int insert(int p) {
    if (p + MIN_MATCH > n) {
      return -1;
    }
    int h = (((src[p] & 0xFF) << 11) ^ ((src[p + 1] & 0xFF) << 5) ^ (src[p + 2] & 0xFF))
        & ((1 << HASH_BITS) - 1);
    int before = head[h] - base;
    prev[p & (WINDOW - 1)] = before;
    head[h] = p + base;
    return before;
  }

  /**
   * The longest match at {@code p} longer than {@code atLeast}, searching back along the chain
   * from {@code candidate}; its start goes to {@code found}. Returns MIN_MATCH - 1 when none.
   *
   * <p>Most candidates of a chain fail on the two bytes at the end of the best match so far, or on
   * the first two (the hash makes the third equal when these are): each is one two-byte load
   * compared with the same two bytes of {@code p}, kept in registers, so that walking a chain
   * costs two loads per candidate. The candidates and their order are zlib's.
   */
  private int longestMatch(int p, int candidate, int atLeast) {
    int max = Math.min(MAX_MATCH, n - p);
    int best = atLeast;
    if (best >= max) {
      return MIN_MATCH - 1;
    }
    int chain = atLeast >= GOOD_LENGTH ? MAX_CHAIN >> 2 : MAX_CHAIN;
    int bestAt = -1;
    int limit = Math.max(p - MAX_DISTANCE, 0);
    byte[] s = src;
    int[] links = prev;
    // best < max keeps p + best, the last byte read here, below n.
    short start = (short) SHORTS.get(s, p);
    short end = (short) SHORTS.get(s, p + best - 1);
    int c = candidate;
    while (c >= limit && chain-- > 0) {
      if ((short) SHORTS.get(s, c + best - 1) == end && (short) SHORTS.get(s, c) == start) {
        int len = matchLength(s, c, p, max);
        if (len > best) {
          best = len;
          bestAt = c;
          if (len >= NICE_LENGTH || len >= max) {
            break;
          }
          end = (short) SHORTS.get(s, p + best - 1);
        }
      }
      c = links[c & (WINDOW - 1)];
    }
    if (bestAt < 0 || best < MIN_MATCH) {
      return MIN_MATCH - 1;
    }
    found = bestAt;
    return best;
  }

  /**
   * How far {@code s[c..]} equals {@code s[p..]}, at most {@code max}, given that the first two
   * bytes do (and the third, by the hash).
   */
  private static int matchLength(byte[] s, int c, int p, int max) {
    int len = 2;
    // Eight bytes at a time while they fit, then byte by byte.
    while (len + 8 <= max) {
      long x = (long) LONGS.get(s, c + len) ^ (long) LONGS.get(s, p + len);
      if (x != 0) {
        return len + (Long.numberOfTrailingZeros(x) >>> 3);
      }
      len += 8;
    }
    while (len < max && s[c + len] == s[p + len]) {
      len++;
    }
    return len;
  }

  /** Records a symbol that ends the input covered so far at {@code end}. */
  private void emit(int lengthOrLiteral, int distance, int end, Sink sink) {
    lengths[count] = (char) lengthOrLiteral;
    dists[count] = (char) distance;
    count++;
    if (count == BLOCK_SYMBOLS && end < n) {
      sink.block(lengths, dists, count, blockStart, end, false);
      count = 0;
      blockStart = end;
    }
  }
}
