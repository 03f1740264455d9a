package io.github.qcow2nio.format.codec;

import java.util.Arrays;

/**
 * Length-limited Huffman codes for deflate: optimal code lengths under a maximum length by the
 * package-merge method, and the canonical codes of RFC 1951, 3.2.2, bit-reversed for a writer
 * that sends the least significant bit first. One instance per thread (it keeps scratch arrays).
 */
final class HuffmanCode {
  // Package-merge nodes: a leaf has left = -1 - symbol; a package has two children.
  private long[] weight = new long[0];
  private int[] left = new int[0];
  private int[] right = new int[0];
  private int nodes;
  private final int[] stack = new int[64 * 1024];

  /**
   * Fills {@code lengths[0..n)} with optimal code lengths of at most {@code limit} bits for the
   * frequencies {@code freq[0..n)} (0: no code). At least two symbols must have a frequency, so
   * that the code is complete.
   */
  void lengths(int[] freq, int n, int limit, int[] lengths) {
    Arrays.fill(lengths, 0, n, 0);
    // Symbols with a frequency, sorted by frequency then symbol: one primitive sort.
    long[] keyed = new long[n];
    int m = 0;
    for (int s = 0; s < n; s++) {
      if (freq[s] > 0) {
        keyed[m++] = ((long) freq[s] << 16) | s;
      }
    }
    if (m < 2) {
      throw new IllegalArgumentException("a complete code needs two symbols, got " + m);
    }
    Arrays.sort(keyed, 0, m);
    int capacity = 2 * m * limit + m;
    if (weight.length < capacity) {
      weight = new long[capacity];
      left = new int[capacity];
      right = new int[capacity];
    }
    nodes = 0;
    int[] leaves = new int[m];
    for (int i = 0; i < m; i++) {
      int symbol = (int) (keyed[i] & 0xFFFF);
      leaves[i] = node(freq[symbol], -1 - symbol, 0);
    }
    int[] list = leaves;
    for (int level = 1; level < limit; level++) {
      int pairs = list.length / 2;
      int[] merged = new int[m + pairs];
      int a = 0;
      int b = 0;
      int k = 0;
      while (a < m || b < pairs) {
        long wp = b < pairs ? weight[list[2 * b]] + weight[list[2 * b + 1]] : Long.MAX_VALUE;
        if (a < m && weight[leaves[a]] <= wp) {
          merged[k++] = leaves[a++];
        } else {
          merged[k++] = node(wp, list[2 * b], list[2 * b + 1]);
          b++;
        }
      }
      list = merged;
    }
    for (int i = 0; i < 2 * m - 2; i++) {
      countLeaves(list[i], lengths);
    }
  }

  private int node(long w, int l, int r) {
    weight[nodes] = w;
    left[nodes] = l;
    right[nodes] = r;
    return nodes++;
  }

  private void countLeaves(int root, int[] lengths) {
    int sp = 0;
    stack[sp++] = root;
    while (sp > 0) {
      int nd = stack[--sp];
      if (left[nd] < 0) {
        lengths[-1 - left[nd]]++;
      } else {
        stack[sp++] = left[nd];
        stack[sp++] = right[nd];
      }
    }
  }

  /** The canonical codes for {@code lengths[0..n)}, bit-reversed, into {@code codes}. */
  static void codes(int[] lengths, int n, int[] codes) {
    int[] count = new int[16];
    for (int s = 0; s < n; s++) {
      count[lengths[s]]++;
    }
    count[0] = 0;
    int[] next = new int[16];
    int code = 0;
    for (int len = 1; len < 16; len++) {
      code = (code + count[len - 1]) << 1;
      next[len] = code;
    }
    for (int s = 0; s < n; s++) {
      int len = lengths[s];
      if (len != 0) {
        codes[s] = Integer.reverse(next[len]++) >>> (32 - len);
      }
    }
  }
}
