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
  /**
   * Hits take no lock: a lookup racing evictions, invalidations, replacements and clears must
   * still get the table of the offset it asked for, never a table a change was moving. Every
   * table holds words k*1000 + i for its cluster k (a replacement too), so a wrong one shows.
   */
  @Test
  void lookupsRacingChangesAlwaysGetTheirOwnTable() throws Exception {
    int n = 24;
    L2Cache cache = new L2Cache(tables(n), CLUSTER, 2);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread[] readers = new Thread[3];
    for (int r = 0; r < readers.length; r++) {
      long seed = r;
      readers[r] = new Thread(() -> {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        try {
          for (int i = 0; i < 500_000 && failure.get() == null; i++) {
            int k = rnd.nextInt(3);
            long[] t = cache.get((long) k * CLUSTER, 0);
            int w = rnd.nextInt(CLUSTER / 8);
            if (t[0] != k * 1000L || t[w] != k * 1000L + w) {
              throw new AssertionError("asked for table " + k + ", got one starting " + t[0]);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      readers[r].start();
    }
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(99);
    while (failure.get() == null && java.util.Arrays.stream(readers).anyMatch(Thread::isAlive)) {
      int k = rnd.nextInt(n);
      switch (rnd.nextInt(4)) {
        case 0 -> cache.invalidate((long) k * CLUSTER);
        case 1 -> {
          long[] t = new long[CLUSTER / 8];
          for (int w = 0; w < t.length; w++) {
            t[w] = k * 1000L + w;
          }
          cache.putNew((long) k * CLUSTER, t);
          cache.flush((offset, table) -> { });
        }
        case 2 -> cache.clear();
        default -> cache.get((long) k * CLUSTER, 0);
      }
    }
    for (Thread t : readers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }
}
