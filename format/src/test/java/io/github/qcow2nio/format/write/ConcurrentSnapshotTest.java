package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers racing snapshot creates, renames and deletes: each writer fills its own region with
 * version after version (one write call each, in place once owned, so the fast path runs too).
 * A snapshot must hold, per region, one version from around its creation, and keep holding it
 * while the writers go on (a write through a stale COPIED flag would change it).
 */
@Tag("qemu")
class ConcurrentSnapshotTest {
  private static final int WRITERS = 3;
  private static final int REGION = 3 * 4096 + 1000;

  @TempDir Path dir;

  @Test
  void writersAndSnapshots() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("c.qcow2");
    NoSyncLocation loc = new NoSyncLocation(img);
    AtomicIntegerArray done = new AtomicIntegerArray(WRITERS);
    AtomicBoolean stop = new AtomicBoolean();
    Map<String, int[]> taken = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try (Qcow2Image image = Qcow2Image.create(loc, CreateOptions.defaults(1 << 20)
        .toBuilder().clusterSize(4096).build(), OpenOptions.readWrite())) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        writers.add(pool.submit(() -> {
          byte[] b = new byte[REGION];
          for (int v = 1; !stop.get() && v < 250; v++) {
            Arrays.fill(b, (byte) v);
            image.disk().write(ByteBuffer.wrap(b), (long) id * 64 * 1024 + 512);
            done.set(id, v);
          }
          return null;
        }));
      }
      for (int i = 0; i < 15; i++) {
        String name = "s" + i;
        int[] before = new int[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
          before[w] = done.get(w);
        }
        image.createSnapshot(name);
        int[] seen = regions(image.snapshotDisk(name));
        for (int w = 0; w < WRITERS; w++) {
          assertTrue(seen[w] >= before[w] && seen[w] <= done.get(w) + 1,
              name + " region " + w + ": version " + seen[w] + " outside [" + before[w] + ", "
                  + (done.get(w) + 1) + "]");
        }
        taken.put(name, seen);
        if (i % 3 == 2) {
          String first = taken.keySet().iterator().next();
          image.deleteSnapshot(first);
          taken.remove(first);
        } else if (i % 5 == 4) {
          image.renameSnapshot(name, name + "r");
          taken.put(name + "r", taken.remove(name));
        }
        for (Map.Entry<String, int[]> e : taken.entrySet()) {
          assertEquals(Arrays.toString(e.getValue()),
              Arrays.toString(regions(image.snapshotDisk(e.getKey()))),
              "snapshot " + e.getKey() + " changed after it was taken");
        }
      }
      stop.set(true);
      for (Future<?> f : writers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    QemuImg.Check c = QemuImg.check(img);
    assertTrue(c.consistent(false), c.output());
    try (Qcow2Image image = Qcow2Image.open(img)) {
      for (Map.Entry<String, int[]> e : taken.entrySet()) {
        assertEquals(Arrays.toString(e.getValue()),
            Arrays.toString(regions(image.snapshotDisk(e.getKey()))), e.getKey());
      }
    }
  }

  /** The version each region holds; fails when a region is not one version throughout. */
  private static int[] regions(VirtualDisk d) throws Exception {
    int[] v = new int[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
      byte[] b = new byte[REGION];
      d.read(ByteBuffer.wrap(b), (long) w * 64 * 1024 + 512);
      for (byte x : b) {
        assertEquals(b[0], x, "region " + w + " mixes versions");
      }
      v[w] = b[0] & 0xFF;
    }
    return v;
  }
}
