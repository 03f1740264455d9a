package io.github.qcow2nio.format.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compressors' streams decompress to the cluster (through the JDK's inflater and our own
 * codecs), deflate never reaches back more than QEMU's 4 KiB window, and clusters that do not
 * shrink below cluster size - 1 bytes are refused as QEMU refuses them.
 */
class ClusterCompressorTest {

  /** Text-like, zero, random, repetitive and mixed clusters of {@code size} bytes. */
  static List<byte[]> clusters(int size, long seed) {
    Random r = new Random(seed);
    List<byte[]> out = new ArrayList<>();
    String[] words = {"qcow2 ", "cluster ", "refcount ", "the ", "of ", "L2 table ", "\n",
        "compressed ", "public static final ", "{ return x; }\n", "0x1F ", "image "};
    byte[] text = new byte[size];
    for (int i = 0; i < size; ) {
      byte[] w = words[(int) Math.abs(r.nextGaussian() * 3) % words.length]
          .getBytes(StandardCharsets.US_ASCII);
      for (int k = 0; k < w.length && i < size; k++) {
        text[i++] = w[k];
      }
    }
    out.add(text);
    out.add(new byte[size]);
    byte[] random = new byte[size];
    r.nextBytes(random);
    out.add(random);
    byte[] periodic = new byte[size];
    byte[] unit = new byte[5000];
    r.nextBytes(unit);
    for (int i = 0; i < size; i++) {
      periodic[i] = unit[i % unit.length];
    }
    out.add(periodic);
    byte[] mixed = text.clone();
    for (int i = size / 3; i < size / 2; i++) {
      mixed[i] = (byte) r.nextInt();
    }
    Arrays.fill(mixed, size / 2, size / 2 + size / 8, (byte) 0);
    out.add(mixed);
    byte[] skewed = new byte[size];
    for (int i = 0; i < size; i++) {
      // Geometric symbol frequencies: Huffman lengths would pass 15 bits without the limit.
      skewed[i] = (byte) Math.min(40, Integer.numberOfTrailingZeros(r.nextInt() | 1 << 30));
    }
    out.add(skewed);
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {512, 4096, 65536, 2 * 1024 * 1024})
  void deflateRoundTripsThroughTheJdkAndOurCodec(int size) throws Exception {
    ClusterCompressor c = ClusterCompressor.forType(0, "test");
    ClusterCodec codec = ClusterCodec.forType(0, "test");
    int compressedCount = 0;
    List<byte[]> all = clusters(size, size);
    // Two MiB clusters (several blocks, stored ones among them) cost seconds each: fewer of them.
    for (byte[] cluster : size > 65536 ? List.of(all.get(0), all.get(4)) : all) {
      byte[] dst = new byte[size];
      int n = c.compress(cluster, size, dst, size - 1);
      if (n < 0) {
        continue;
      }
      compressedCount++;
      assertTrue(n <= size - 1);
      Inflater inf = new Inflater(true);
      inf.setInput(dst, 0, n);
      byte[] back = new byte[size];
      assertEquals(size, inf.inflate(back));
      inf.end();
      assertArrayEquals(cluster, back);
      byte[] viaCodec = new byte[size];
      // With slack after the stream, as a reader sees it.
      byte[] withSlack = Arrays.copyOf(dst, n + 511);
      Arrays.fill(withSlack, n, n + 511, (byte) 0x5A);
      codec.decompress(withSlack, n + 511, viaCodec, size);
      assertArrayEquals(cluster, viaCodec);
    }
    assertTrue(compressedCount >= (size > 65536 ? 2 : 4), "text, zeros, periodic, mixed compress");
  }

  @Test
  void randomDataIsRefused() throws Exception {
    for (int type : new int[] {0, 1}) {
      ClusterCompressor c = ClusterCompressor.forType(type, "test");
      byte[] random = new byte[65536];
      new Random(7).nextBytes(random);
      assertEquals(-1, c.compress(random, random.length, new byte[65536], 65535), "type " + type);
    }
  }

  @Test
  void deflateNeverReachesPastTheFourKibWindow() {
    for (int size : new int[] {4096, 65536, 1 << 21}) {
      List<byte[]> all = clusters(size, 99 + size);
      for (byte[] cluster : size > 65536 ? List.of(all.get(0)) : all) {
        Lz77Matcher m = new Lz77Matcher();
        byte[] rebuilt = new byte[size];
        int[] at = {0};
        int[] maxDistance = {0};
        int[] blocks = {0};
        m.run(cluster, size, (lengths, dists, count, from, to, last) -> {
          assertEquals(at[0], from);
          for (int i = 0; i < count; i++) {
            if (dists[i] == 0) {
              rebuilt[at[0]++] = (byte) lengths[i];
            } else {
              maxDistance[0] = Math.max(maxDistance[0], dists[i]);
              for (int k = 0; k < lengths[i]; k++, at[0]++) {
                rebuilt[at[0]] = rebuilt[at[0] - dists[i]];
              }
            }
          }
          assertEquals(to, at[0]);
          assertEquals(last, to == size);
          blocks[0]++;
        });
        assertEquals(size, at[0]);
        assertArrayEquals(cluster, rebuilt);
        assertTrue(maxDistance[0] <= 4096, "distance " + maxDistance[0]);
      }
    }
  }

  @Test
  void huffmanLengthsAreLimitedAndComplete() {
    HuffmanCode h = new HuffmanCode();
    Random r = new Random(3);
    for (int round = 0; round < 200; round++) {
      int n = 2 + r.nextInt(285);
      int limit = round % 2 == 0 ? 15 : 7;
      n = limit == 7 ? Math.min(n, 19) : n;
      int[] freq = new int[n];
      for (int s = 0; s < n; s++) {
        freq[s] = round % 3 == 0 ? (int) Math.min(1 << 28, 1L << r.nextInt(40))
            : r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(1000);
      }
      freq[0] = Math.max(freq[0], 1);
      freq[n - 1] = Math.max(freq[n - 1], 1);
      int[] len = new int[n];
      h.lengths(freq, n, limit, len);
      double kraft = 0;
      for (int s = 0; s < n; s++) {
        assertTrue(len[s] <= limit);
        assertEquals(freq[s] > 0, len[s] > 0);
        if (len[s] > 0) {
          kraft += Math.pow(2, -len[s]);
        }
      }
      assertEquals(1.0, kraft, 1e-12, "a complete code");
    }
  }

  @Test
  void zstdRoundTripsAsOneFrame() throws Exception {
    ClusterCompressor c = ClusterCompressor.forType(1, "test");
    ClusterCodec codec = ClusterCodec.forType(1, "test");
    for (byte[] cluster : clusters(65536, 5)) {
      byte[] dst = new byte[65536];
      int n = c.compress(cluster, cluster.length, dst, 65535);
      if (n < 0) {
        continue;
      }
      assertEquals(0xFD2FB528, java.nio.ByteBuffer.wrap(dst).order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .getInt(0), "a plain zstd frame");
      byte[] back = new byte[65536];
      codec.decompress(Arrays.copyOf(dst, n + 100), n + 100, back, 65536);
      assertArrayEquals(cluster, back);
    }
  }
}
