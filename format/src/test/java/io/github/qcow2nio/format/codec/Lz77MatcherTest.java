package io.github.qcow2nio.format.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * The matcher's fast chain walk finds exactly the symbols of the plain one it replaced
 * ({@link ReferenceLz77Matcher}): same literals, lengths, distances and block cuts on text, zeros,
 * random and periodic clusters, on inputs of every small length, on repeats at the farthest
 * distance allowed and one past it, at 4096, and on runs longer than a match; so the streams
 * we write are byte for byte those written before (QEMU reads them: CompressedInteropTest).
 * The writer's four-byte flush keeps its exact limit: a stream that fits in n bytes is written
 * with a limit of n and refused with n - 1; data that does not compress goes out in stored
 * blocks and inflates back.
 */
class Lz77MatcherTest {

  /** Every symbol and block boundary the matcher sends, as one list of ints. */
  private static List<Integer> symbols(byte[] data, int n, boolean reference) {
    List<Integer> out = new ArrayList<>();
    Lz77Matcher.Sink sink = (lengths, dists, count, from, to, last) -> {
      out.add(-1);
      out.add(count);
      out.add(from);
      out.add(to);
      out.add(last ? 1 : 0);
      for (int i = 0; i < count; i++) {
        out.add((int) lengths[i]);
        out.add((int) dists[i]);
      }
    };
    if (reference) {
      new ReferenceLz77Matcher().run(data, n, sink);
    } else {
      new Lz77Matcher().run(data, n, sink);
    }
    return out;
  }

  /** Rebuilds the input from the symbols and returns the farthest distance used. */
  private static int replay(List<Integer> symbols, byte[] expected, int n) {
    byte[] rebuilt = new byte[n];
    int at = 0;
    int farthest = 0;
    int i = 0;
    while (i < symbols.size()) {
      assertEquals(-1, symbols.get(i));
      int count = symbols.get(i + 1);
      assertEquals(at, symbols.get(i + 2));
      i += 5;
      for (int k = 0; k < count; k++, i += 2) {
        int len = symbols.get(i);
        int dist = symbols.get(i + 1);
        if (dist == 0) {
          rebuilt[at++] = (byte) len;
        } else {
          assertTrue(len >= 3 && len <= 258, "length " + len);
          farthest = Math.max(farthest, dist);
          for (int j = 0; j < len; j++, at++) {
            rebuilt[at] = rebuilt[at - dist];
          }
        }
      }
    }
    assertEquals(n, at);
    assertArrayEquals(Arrays.copyOf(expected, n), rebuilt);
    return farthest;
  }

  private static int sameAsReference(byte[] data, int n) {
    List<Integer> fast = symbols(data, n, false);
    assertEquals(symbols(data, n, true), fast, "n=" + n);
    return replay(fast, data, n);
  }

  @Test
  void theTestClustersGiveTheReferencesSymbols() {
    for (int size : new int[] {512, 4096, 65536}) {
      for (long seed = 0; seed < 3; seed++) {
        for (byte[] cluster : ClusterCompressorTest.clusters(size, seed * 1000 + size)) {
          assertTrue(sameAsReference(cluster, size) <= Lz77Matcher.MAX_DISTANCE);
        }
      }
    }
    // Two MiB: several blocks of symbols, cut where the reference cuts them.
    byte[] big = ClusterCompressorTest.clusters(1 << 21, 11).get(0);
    List<Integer> fast = symbols(big, big.length, false);
    assertTrue(fast.stream().filter(v -> v == -1).count() > 1, "more than one block");
    assertEquals(symbols(big, big.length, true), fast);
  }

  @Test
  void everyShortLengthAndEveryEndGiveTheReferencesSymbols() {
    Random r = new Random(5);
    byte[] text = ClusterCompressorTest.clusters(4096, 6).get(0);
    for (int n = 1; n <= 300; n++) {
      byte[] few = new byte[n];
      for (int i = 0; i < n; i++) {
        few[i] = (byte) "abab".charAt(r.nextInt(4));
      }
      sameAsReference(few, n);
      sameAsReference(text, n);
      // A buffer longer than the input: nothing past n may be matched.
      byte[] tail = Arrays.copyOf(few, n + 64);
      Arrays.fill(tail, n, n + 64, few[n - 1]);
      sameAsReference(tail, n);
    }
  }

  @Test
  void repeatsAtTheFarthestDistanceAndBeyond() {
    Random r = new Random(8);
    int[] distances = {Lz77Matcher.MAX_DISTANCE - 1, Lz77Matcher.MAX_DISTANCE,
        Lz77Matcher.MAX_DISTANCE + 1, 4095, 4096, 4097};
    for (int d : distances) {
      byte[] unit = new byte[d];
      r.nextBytes(unit);
      byte[] data = new byte[3 * d];
      for (int i = 0; i < data.length; i++) {
        data[i] = unit[i % d];
      }
      int farthest = sameAsReference(data, data.length);
      assertTrue(farthest <= Lz77Matcher.MAX_DISTANCE, "distance " + farthest);
      if (d <= Lz77Matcher.MAX_DISTANCE) {
        assertEquals(d, farthest, "a repeat within reach is found at its distance");
      }
    }
  }

  @Test
  void runsLongerThanOneMatch() {
    for (int run : new int[] {258, 259, 260, 516, 517, 10_000, 65536}) {
      byte[] data = new byte[run + 7];
      Arrays.fill(data, 0, 7, (byte) 'x');
      Arrays.fill(data, 7, data.length, (byte) 'a');
      sameAsReference(data, data.length);
      byte[] pairs = new byte[run];
      for (int i = 0; i < run; i++) {
        pairs[i] = (byte) (i % 2 == 0 ? 'a' : 'b');
      }
      sameAsReference(pairs, run);
    }
  }

  @Test
  void aStreamIsWrittenAtItsExactSizeAndRefusedOneByteBelow() throws Exception {
    ClusterCompressor c = ClusterCompressor.forType(0, "test");
    for (int size : new int[] {512, 4096, 65536}) {
      for (byte[] cluster : ClusterCompressorTest.clusters(size, 21 + size)) {
        byte[] dst = new byte[size];
        int n = c.compress(cluster, size, dst, size - 1);
        if (n < 0) {
          continue;
        }
        for (int limit : new int[] {n, n + 1, n + 2, n + 3, n + 4}) {
          byte[] again = new byte[size];
          assertEquals(n, c.compress(cluster, size, again, limit), "limit " + limit);
          assertArrayEquals(Arrays.copyOf(dst, n), Arrays.copyOf(again, n));
          Inflater inf = new Inflater(true);
          inf.setInput(again, 0, n);
          byte[] back = new byte[size];
          assertEquals(size, inf.inflate(back));
          inf.end();
          assertArrayEquals(cluster, back);
        }
        for (int limit : new int[] {n - 1, n - 2, n - 3, n - 4, n - 5}) {
          if (limit >= 0) {
            assertEquals(-1, c.compress(cluster, size, new byte[size], limit), "limit " + limit);
          }
        }
      }
    }
  }

  @Test
  void incompressibleDataGoesOutStoredAndInflatesBack() throws Exception {
    ClusterCompressor c = ClusterCompressor.forType(0, "test");
    Random r = new Random(13);
    for (int size : new int[] {512, 65535, 65536, 65537, 200_000}) {
      byte[] random = new byte[size];
      r.nextBytes(random);
      // Room for the stored blocks' headers, 5 bytes each: a block of symbols (at most
      // BLOCK_SYMBOLS literals here) is stored on its own.
      int room = size + 5 * (size / Lz77Matcher.BLOCK_SYMBOLS + 2);
      byte[] dst = new byte[room];
      int n = c.compress(random, size, dst, room);
      assertTrue(n > size, "stored, not compressed: " + n + " for " + size);
      Inflater inf = new Inflater(true);
      inf.setInput(dst, 0, n);
      byte[] back = new byte[size];
      assertEquals(size, inf.inflate(back));
      assertTrue(inf.finished());
      inf.end();
      assertArrayEquals(random, back);
      assertEquals(-1, c.compress(random, size, new byte[room], n - 1));
    }
  }
}
