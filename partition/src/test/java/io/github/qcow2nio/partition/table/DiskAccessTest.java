package io.github.qcow2nio.partition.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.qcow2nio.partition.testing.MemoryChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A plain channel (not a FileChannel) read from many threads at once gives each its bytes. */
class DiskAccessTest {
  @Test
  void positionalReadsOnAPlainChannelDoNotMix() throws Exception {
    byte[] bytes = new byte[1 << 20];
    new Random(11).nextBytes(bytes);
    DiskAccess disk = DiskAccess.of(new MemoryChannel(bytes.clone()));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = 100 + t;
        futures.add(pool.submit(() -> {
          Random r = new Random(seed);
          for (int i = 0; i < 2000; i++) {
            int pos = r.nextInt(bytes.length - 4096);
            int len = 1 + r.nextInt(4096);
            ByteBuffer got = disk.readFully(pos, len);
            byte[] want = new byte[len];
            System.arraycopy(bytes, pos, want, 0, len);
            assertArrayEquals(want, got.array(), "seed " + seed + " read " + i + " at " + pos);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
