package io.github.qcow2nio.format.codec;

/**
 * Writes blocks of LZ77 symbols as raw deflate (RFC 1951): each block stored, with the fixed
 * codes or with dynamic codes, whichever is smallest. One instance per thread.
 */
final class DeflateBlockWriter implements Lz77Matcher.Sink {
  private static final int LITLEN = 286;
  private static final int DIST = 30;
  private static final int CODELEN = 19;
  private static final int[] CODELEN_ORDER =
      {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  /** Length 3..258 to its code 257..285 (index length - 3). */
  private static final int[] LENGTH_CODE = new int[256];
  private static final int[] LENGTH_BASE = new int[29];
  private static final int[] LENGTH_EXTRA =
      {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  private static final int[] DIST_BASE = new int[DIST];
  private static final int[] DIST_EXTRA = new int[DIST];
  private static final int[] FIXED_LITLEN_LENGTHS = new int[288];
  private static final int[] FIXED_LITLEN_CODES = new int[288];
  private static final int[] FIXED_DIST_LENGTHS = new int[DIST];
  private static final int[] FIXED_DIST_CODES = new int[DIST];

  static {
    int base = 3;
    for (int c = 0; c < 28; c++) {
      LENGTH_BASE[c] = base;
      for (int k = 0; k < (1 << LENGTH_EXTRA[c]); k++) {
        LENGTH_CODE[base - 3 + k] = c;
      }
      base += 1 << LENGTH_EXTRA[c];
    }
    LENGTH_BASE[28] = 258;
    LENGTH_CODE[255] = 28;
    int d = 1;
    for (int c = 0; c < DIST; c++) {
      DIST_EXTRA[c] = c < 4 ? 0 : (c - 2) / 2;
      DIST_BASE[c] = d;
      d += 1 << DIST_EXTRA[c];
    }
    for (int s = 0; s < 288; s++) {
      FIXED_LITLEN_LENGTHS[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    }
    HuffmanCode.codes(FIXED_LITLEN_LENGTHS, 288, FIXED_LITLEN_CODES);
    java.util.Arrays.fill(FIXED_DIST_LENGTHS, 5);
    HuffmanCode.codes(FIXED_DIST_LENGTHS, DIST, FIXED_DIST_CODES);
  }

  private final HuffmanCode huffman = new HuffmanCode();
  private final int[] litFreq = new int[LITLEN];
  private final int[] distFreq = new int[DIST];
  private final int[] litLengths = new int[LITLEN];
  private final int[] distLengths = new int[DIST];
  private final int[] litCodes = new int[LITLEN];
  private final int[] distCodes = new int[DIST];
  private final int[] all = new int[LITLEN + DIST];
  // The code-length sequence, run-length coded: symbol 0..18 and its extra bits' value.
  private final int[] rleSymbols = new int[LITLEN + DIST];
  private final int[] rleExtra = new int[LITLEN + DIST];
  private int rleCount;
  private final int[] clFreq = new int[CODELEN];
  private final int[] clLengths = new int[CODELEN];
  private final int[] clCodes = new int[CODELEN];
  private final BitSink out = new BitSink();
  private byte[] src;

  /** Starts a stream over {@code src} into {@code dst}, at most {@code limit} bytes. */
  void start(byte[] src, byte[] dst, int limit) {
    this.src = src;
    out.reset(dst, limit);
  }

  /** The stream's length, or -1 when it did not fit the limit. */
  int finish() {
    out.alignToByte();
    return out.overflowed() ? -1 : out.length();
  }

  @Override
  public void block(char[] lengths, char[] dists, int count, int from, int to, boolean last) {
    if (out.overflowed()) {
      return;
    }
    java.util.Arrays.fill(litFreq, 0);
    java.util.Arrays.fill(distFreq, 0);
    for (int i = 0; i < count; i++) {
      if (dists[i] == 0) {
        litFreq[lengths[i]]++;
      } else {
        litFreq[257 + LENGTH_CODE[lengths[i] - 3]]++;
        distFreq[distanceCode(dists[i])]++;
      }
    }
    litFreq[256]++;
    long payloadFixed = 0;
    for (int s = 0; s < LITLEN; s++) {
      payloadFixed += (long) litFreq[s] * (FIXED_LITLEN_LENGTHS[s] + extraBits(s));
    }
    for (int c = 0; c < DIST; c++) {
      payloadFixed += (long) distFreq[c] * (5 + DIST_EXTRA[c]);
    }
    // Every code complete: two symbols at least (a dummy one never sent costs only its length).
    ensureTwo(litFreq, LITLEN);
    ensureTwo(distFreq, DIST);
    huffman.lengths(litFreq, LITLEN, 15, litLengths);
    huffman.lengths(distFreq, DIST, 15, distLengths);
    int hlit = LITLEN;
    while (hlit > 257 && litLengths[hlit - 1] == 0) {
      hlit--;
    }
    int hdist = DIST;
    while (hdist > 1 && distLengths[hdist - 1] == 0) {
      hdist--;
    }
    System.arraycopy(litLengths, 0, all, 0, hlit);
    System.arraycopy(distLengths, 0, all, hlit, hdist);
    runLengths(hlit + hdist);
    java.util.Arrays.fill(clFreq, 0);
    for (int i = 0; i < rleCount; i++) {
      clFreq[rleSymbols[i]]++;
    }
    ensureTwo(clFreq, CODELEN);
    huffman.lengths(clFreq, CODELEN, 7, clLengths);
    int hclen = CODELEN;
    while (hclen > 4 && clLengths[CODELEN_ORDER[hclen - 1]] == 0) {
      hclen--;
    }
    long dynamic = 5 + 5 + 4 + 3L * hclen;
    for (int i = 0; i < rleCount; i++) {
      dynamic += clLengths[rleSymbols[i]] + rleExtraBits(rleSymbols[i]);
    }
    for (int s = 0; s < LITLEN; s++) {
      if (litFreq[s] > 0) {
        dynamic += (long) litFreq[s] * (litLengths[s] + extraBits(s));
      }
    }
    for (int c = 0; c < DIST; c++) {
      dynamic += (long) distFreq[c] * (distLengths[c] + DIST_EXTRA[c]);
    }
    long stored = 8L * (to - from) + 40L * Math.max(1, (to - from + 65534) / 65535) + 8;
    if (stored < dynamic && stored < payloadFixed) {
      writeStored(from, to, last);
    } else if (payloadFixed <= dynamic) {
      out.write(last ? 1 : 0, 1);
      out.write(1, 2);
      writeSymbols(lengths, dists, count, FIXED_LITLEN_LENGTHS, FIXED_LITLEN_CODES,
          FIXED_DIST_LENGTHS, FIXED_DIST_CODES);
    } else {
      out.write(last ? 1 : 0, 1);
      out.write(2, 2);
      out.write(hlit - 257, 5);
      out.write(hdist - 1, 5);
      out.write(hclen - 4, 4);
      for (int i = 0; i < hclen; i++) {
        out.write(clLengths[CODELEN_ORDER[i]], 3);
      }
      HuffmanCode.codes(clLengths, CODELEN, clCodes);
      for (int i = 0; i < rleCount; i++) {
        int sym = rleSymbols[i];
        out.write(clCodes[sym], clLengths[sym]);
        int extra = rleExtraBits(sym);
        if (extra > 0) {
          out.write(rleExtra[i], extra);
        }
      }
      HuffmanCode.codes(litLengths, LITLEN, litCodes);
      HuffmanCode.codes(distLengths, DIST, distCodes);
      writeSymbols(lengths, dists, count, litLengths, litCodes, distLengths, distCodes);
    }
  }

  private void writeSymbols(char[] lengths, char[] dists, int count, int[] lLen, int[] lCode,
      int[] dLen, int[] dCode) {
    for (int i = 0; i < count && !out.overflowed(); i++) {
      int d = dists[i];
      if (d == 0) {
        int lit = lengths[i];
        out.write(lCode[lit], lLen[lit]);
      } else {
        int len = lengths[i];
        int c = LENGTH_CODE[len - 3];
        out.write(lCode[257 + c], lLen[257 + c]);
        if (LENGTH_EXTRA[c] > 0) {
          out.write(len - LENGTH_BASE[c], LENGTH_EXTRA[c]);
        }
        int dc = distanceCode(d);
        out.write(dCode[dc], dLen[dc]);
        if (DIST_EXTRA[dc] > 0) {
          out.write(d - DIST_BASE[dc], DIST_EXTRA[dc]);
        }
      }
    }
    out.write(lCode[256], lLen[256]);
  }

  private void writeStored(int from, int to, boolean last) {
    int at = from;
    do {
      int len = Math.min(65535, to - at);
      boolean final_ = last && at + len == to;
      out.write(final_ ? 1 : 0, 1);
      out.write(0, 2);
      out.alignToByte();
      out.write(len, 16);
      out.write(~len & 0xFFFF, 16);
      out.writeBytes(src, at, len);
      at += len;
    } while (at < to);
  }

  /** Run-length codes {@code all[0..n)} with symbols 16 (repeat), 17 and 18 (zeros). */
  private void runLengths(int n) {
    rleCount = 0;
    int i = 0;
    while (i < n) {
      int v = all[i];
      int run = 1;
      while (i + run < n && all[i + run] == v) {
        run++;
      }
      i += run;
      if (v == 0) {
        while (run >= 11) {
          int r = Math.min(run, 138);
          rle(18, r - 11);
          run -= r;
        }
        if (run >= 3) {
          rle(17, run - 3);
          run = 0;
        }
      } else {
        rle(v, 0);
        run--;
        while (run >= 3) {
          int r = Math.min(run, 6);
          rle(16, r - 3);
          run -= r;
        }
      }
      for (; run > 0; run--) {
        rle(v, 0);
      }
    }
  }

  private void rle(int symbol, int extra) {
    rleSymbols[rleCount] = symbol;
    rleExtra[rleCount] = extra;
    rleCount++;
  }

  private static int rleExtraBits(int symbol) {
    return symbol == 16 ? 2 : symbol == 17 ? 3 : symbol == 18 ? 7 : 0;
  }

  private static int extraBits(int litLenSymbol) {
    return litLenSymbol > 256 ? LENGTH_EXTRA[litLenSymbol - 257] : 0;
  }

  private static void ensureTwo(int[] freq, int n) {
    int used = 0;
    for (int s = 0; s < n && used < 2; s++) {
      if (freq[s] > 0) {
        used++;
      }
    }
    for (int s = 0; s < n && used < 2; s++) {
      if (freq[s] == 0) {
        freq[s] = 1;
        used++;
      }
    }
  }

  static int distanceCode(int d) {
    if (d <= 4) {
      return d - 1;
    }
    int b = 31 - Integer.numberOfLeadingZeros(d - 1);
    return 2 * b + (((d - 1) >>> (b - 1)) & 1);
  }
}
