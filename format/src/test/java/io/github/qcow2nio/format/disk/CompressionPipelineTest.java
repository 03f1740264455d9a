package io.github.qcow2nio.format.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.codec.ClusterCompressor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The pipeline places clusters in submission order however the workers finish, never has more
 * than its bound between submission and placement, reuses its buffers, and stops at a failure.
 */
class CompressionPipelineTest {

  @Test
  void placesInOrderWithABoundedNumberInFlight() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    Random jitter = new Random(1);
    ClusterCompressor slowAndUneven = (src, length, dst, limit) -> {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        Thread.sleep(Math.floorMod(src[1], 3));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      running.decrementAndGet();
      dst[0] = src[0];
      return 1;
    };
    ExecutorService pool = CompressionPipeline.newPool(3);
    try {
      CompressionPipeline p = new CompressionPipeline(pool, slowAndUneven, 512, 5, false);
      List<Long> placed = new ArrayList<>();
      int[] submitted = {0};
      List<CompressionPipeline.Job> seen = new ArrayList<>();
      CompressionPipeline.Placer placer = j -> {
        assertTrue(submitted[0] - placed.size() <= 5, "at most 5 in flight");
        assertEquals((byte) (j.cStart / 512), j.packed[0]);
        placed.add(j.cStart);
        if (!seen.contains(j)) {
          seen.add(j);
        }
      };
      for (int i = 0; i < 200; i++) {
        CompressionPipeline.Job j = p.job(512L * i, 512);
        j.raw[0] = (byte) i;
        j.raw[1] = (byte) jitter.nextInt();
        p.submit(j, placer);
        submitted[0]++;
      }
      p.drain(placer);
      assertEquals(200, placed.size());
      for (int i = 0; i < 200; i++) {
        assertEquals(512L * i, placed.get(i));
      }
      assertTrue(maxRunning.get() <= 3);
      assertTrue(seen.size() <= 6, "buffers are reused: " + seen.size() + " jobs");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedPlacementStopsThePipeline() throws Exception {
    ExecutorService pool = CompressionPipeline.newPool(2);
    try {
      CompressionPipeline p = new CompressionPipeline(pool, (s, n, d, l) -> -1, 512, 4, true);
      int[] placed = {0};
      CompressionPipeline.Placer failing = j -> {
        if (j.cStart == 512 * 3) {
          throw new IOException("no space");
        }
        placed[0]++;
      };
      IOException e = assertThrows(IOException.class, () -> {
        for (int i = 0; i < 50; i++) {
          CompressionPipeline.Job j = p.job(512L * i, 512);
          j.raw[0] = (byte) (i % 2);
          p.submit(j, failing);
        }
        p.drain(failing);
      });
      assertEquals("no space", e.getMessage());
      assertEquals(3, placed[0], "the clusters before the failed one were placed, none after");
      p.abandon();
      assertTrue(p.isEmpty());
    } finally {
      pool.shutdownNow();
    }
  }
}
