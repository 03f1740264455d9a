package io.github.qcow2nio.format.struct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.testing.Bytes;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Refcount blocks of every width, against the encoding table of qcow2-facts.md 3.1. */
class RefcountBlockTest {

  @Test
  void geometry() {
    assertEquals(32768, RefcountBlock.entries(16, 4));    // 64 KiB clusters, 16-bit
    assertEquals(4096, RefcountBlock.entries(9, 0));      // 512 B, 1-bit
    assertEquals(64, RefcountBlock.entries(9, 6));        // 512 B, 64-bit
    assertEquals(1L << 24, RefcountBlock.entries(21, 0)); // 2 MiB, 1-bit
  }

  @Test
  void maxValues() {
    long[] want = {1, 3, 15, 255, 65535, 0xFFFFFFFFL, -1L};
    for (int order = 0; order <= 6; order++) {
      assertEquals(want[order], RefcountBlock.maxValue(order), "order " + order);
    }
  }

  @Test
  void oneBit() {
    RefcountBlock b = new RefcountBlock(new byte[512], 0);
    b.set(0, 1);
    b.set(9, 1);
    b.set(4095, 1);
    Bytes want = new Bytes(512).u8(0, 0x01).u8(1, 0x02).u8(511, 0x80);
    assertArrayEquals(want.array(), b.bytes());
    assertEquals(1, b.get(9));
    assertEquals(0, b.get(8));
    b.set(9, 0);
    assertEquals(0, b.bytes()[1]);
  }

  @Test
  void twoBits() {
    RefcountBlock b = new RefcountBlock(new byte[512], 1);
    b.set(0, 3);
    b.set(5, 2);
    b.set(2047, 1);
    assertArrayEquals(new Bytes(512).u8(0, 0x03).u8(1, 0x08).u8(511, 0x40).array(), b.bytes());
  }

  @Test
  void fourBits() {
    RefcountBlock b = new RefcountBlock(new byte[512], 2);
    b.set(0, 0xA);
    b.set(1, 0x5);
    b.set(3, 0xF);
    // The low nibble holds the even entry.
    assertArrayEquals(new Bytes(512).u8(0, 0x5A).u8(1, 0xF0).array(), b.bytes());
    assertEquals(0xA, b.get(0));
    assertEquals(0x5, b.get(1));
    assertEquals(0x0, b.get(2));
  }

  @Test
  void wholeBytes() {
    byte[] raw = new Bytes(512).u8(7, 0xFE).u16(20, 0xBEEF).u32(40, 0xCAFEBABEL)
        .u64(64, 0x8000000000000001L).array();
    assertEquals(0xFE, new RefcountBlock(raw, 3).get(7));
    assertEquals(0xBEEF, new RefcountBlock(raw, 4).get(10));
    assertEquals(0xCAFEBABEL, new RefcountBlock(raw, 5).get(10));
    assertEquals(0x8000000000000001L, new RefcountBlock(raw, 6).get(8));
    byte[] out = new byte[512];
    new RefcountBlock(out, 3).set(7, 0xFE);
    new RefcountBlock(out, 4).set(10, 0xBEEF);
    new RefcountBlock(out, 5).set(10, 0xCAFEBABEL);
    new RefcountBlock(out, 6).set(8, 0x8000000000000001L);
    assertArrayEquals(raw, out);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
  void roundTripEveryEntryWithoutDisturbingNeighbours(int order) {
    int n = (int) RefcountBlock.entries(9, order);
    long max = RefcountBlock.maxValue(order);
    long[] model = new long[n];
    RefcountBlock b = new RefcountBlock(new byte[512], order);
    SplittableRandom r = new SplittableRandom(order);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < n; i++) {
        long v = switch (i % 5) {
          case 0 -> max;
          case 1 -> 0;
          default -> order == 6 ? r.nextLong() : r.nextLong(max + 1);
        };
        model[i] = v;
        b.set(i, v);
      }
      for (int i = 0; i < n; i++) {
        assertEquals(model[i], b.get(i), "order " + order + " entry " + i);
      }
    }
    // Reading the same bytes through a fresh block gives the same values.
    RefcountBlock again = new RefcountBlock(b.bytes().clone(), order);
    for (int i = 0; i < n; i++) {
      assertEquals(model[i], again.get(i));
    }
    b.set(n - 1, max);
    assertEquals(max, b.get(n - 1));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5})
  void valuesAboveTheWidthAreRefused(int order) {
    RefcountBlock b = new RefcountBlock(new byte[512], order);
    assertThrows(IllegalArgumentException.class, () -> b.set(0, RefcountBlock.maxValue(order) + 1));
    assertThrows(IllegalArgumentException.class, () -> b.set(0, -1L));
    assertEquals(0, b.get(0));
  }
}
