package io.github.qcow2nio.format.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.MemoryHostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The L2 table cache: lookups, CLOCK eviction, dirty tables kept until flushed. */
class L2CacheTest {
  private static final int CLUSTER = 512;

  /** A file of {@code n} clusters, cluster k holding entry words k*1000 + i. */
  private static MemoryHostFile tables(int n) throws IOException {
    MemoryHostFile f = new MemoryHostFile("t", new byte[n * CLUSTER], true);
    for (int k = 0; k < n; k++) {
      ByteBuffer b = ByteBuffer.allocate(CLUSTER);
      for (int i = 0; i < CLUSTER / 8; i++) {
        b.putLong(k * 1000L + i);
      }
      f.write(b.flip(), (long) k * CLUSTER);
    }
    return f;
  }

  @Test
  void loadsDecodesAndCaches() throws IOException {
    L2Cache cache = new L2Cache(tables(8), CLUSTER, 4);
    long[] t = cache.get(3 * CLUSTER, 0);
    assertEquals(3000, t[0]);
    assertEquals(3063, t[63]);
    assertSame(t, cache.get(3 * CLUSTER, 0), "a hit returns the cached array");
  }

  @Test
  void evictsCleanTablesButNeverDirtyOnes() throws IOException {
    MemoryHostFile f = tables(16);
    L2Cache cache = new L2Cache(f, CLUSTER, 4);
    long[] dirty = cache.getForUpdate(CLUSTER, 0);
    dirty[0] = 42;
    for (int k = 2; k < 16; k++) {
      cache.get((long) k * CLUSTER, 0);
    }
    assertSame(dirty, cache.get(CLUSTER, 0), "the dirty table stayed cached");
    assertEquals(1, cache.dirtyCount());
    List<Long> written = new ArrayList<>();
    cache.flush((offset, table) -> {
      written.add(offset);
      ByteBuffer b = ByteBuffer.allocate(CLUSTER);
      b.asLongBuffer().put(table);
      f.write(b, offset);
    });
    assertEquals(List.of((long) CLUSTER), written);
    assertEquals(0, cache.dirtyCount());
    assertEquals(42, new L2Cache(f, CLUSTER, 2).get(CLUSTER, 0)[0]);
  }

  @Test
  void aFailedFlushKeepsTheTablesDirty() throws IOException {
    L2Cache cache = new L2Cache(tables(8), CLUSTER, 4);
    cache.getForUpdate(CLUSTER, 0);
    cache.getForUpdate(2 * CLUSTER, 0);
    int[] calls = {0};
    assertThrows(IOException.class, () -> cache.flush((offset, table) -> {
      if (calls[0]++ == 1) {
        throw new IOException("injected");
      }
    }));
    assertEquals(1, cache.dirtyCount(), "the table whose write failed is still dirty");
  }

  @Test
  void fullOfDirtyTablesRefusesAnother() throws IOException {
    L2Cache cache = new L2Cache(tables(8), CLUSTER, 2);
    cache.putNew(5 * CLUSTER, new long[CLUSTER / 8]);
    cache.putNew(6 * CLUSTER, new long[CLUSTER / 8]);
    assertThrows(IllegalStateException.class, () -> cache.putNew(7 * CLUSTER,
        new long[CLUSTER / 8]));
  }

  @Test
  void invalidateDropsAFreedTable() throws IOException {
    MemoryHostFile f = tables(4);
    L2Cache cache = new L2Cache(f, CLUSTER, 4);
    long[] fresh = new long[CLUSTER / 8];
    fresh[1] = 7;
    cache.putNew(2 * CLUSTER, fresh);
    cache.invalidate(2 * CLUSTER);
    assertEquals(0, cache.dirtyCount());
    assertArrayEquals(new long[] {2000, 2001}, java.util.Arrays.copyOf(
        cache.get(2 * CLUSTER, 0), 2), "read again from the file");
  }

  @Test
  void aTablePastTheEndOfTheFileIsCorruption() throws IOException {
    L2Cache cache = new L2Cache(tables(2), CLUSTER, 4);
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> cache.get(4 * CLUSTER, 9));
    assertEquals(true, e.getMessage().contains("L1 index 9"), e.getMessage());
  }

  /**
   * A heap bound holds the tables and each slot's bookkeeping: the most tables that fit, for
   * every cluster size (512 B clusters pay proportionally the most bookkeeping).
   */
  @Test
  void capacityWithinABoundCountsEachSlotsBookkeeping() {
    long bound = 32L << 20;
    for (int bits = 9; bits <= 21; bits++) {
      int cs = 1 << bits;
      int n = L2Cache.capacityWithin(bound, cs);
      long held = (long) n * (cs + L2Cache.SLOT_BYTES);
      assertTrue(held <= bound, n + " tables of " + cs + " B hold " + held);
      if (n > 2) {
        assertTrue(held + cs + L2Cache.SLOT_BYTES > bound, "room for one more of " + cs + " B");
      }
    }
    assertEquals(511, L2Cache.capacityWithin(bound, 65536));
    assertEquals(512, L2Cache.capacityFor(bound, 65536));
    assertEquals(2, L2Cache.capacityWithin(100, 65536));
  }
}
