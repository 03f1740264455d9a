package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Eight threads write one image at once. Each owns a region (random writes, zero writes,
 * discards and reads, checked against its own model) and all of them also write whole sectors of
 * a shared region, tagged with thread and sequence number: afterwards every shared sector holds
 * the last write some thread made to it, never a mix, and the image passes qemu-img check and
 * compares equal to the combined model.
 */
@Tag("qemu")
class ConcurrentWriteTest {
  static final int THREADS = 8;
  static final int OPS = Knobs.OPS / 2;

  @TempDir Path dir;

  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of("v3 64k", CreateOptions.defaults(18 << 20)),
        Arguments.of("v3 512", CreateOptions.builder(9 << 20).clusterSize(512)
            .refcountBits(64).build()),
        Arguments.of("extended l2 32k", CreateOptions.builder(18 << 20).clusterSize(32768)
            .extendedL2(true).build()),
        Arguments.of("v2 4k", CreateOptions.builder(9 << 20).clusterSize(4096)
            .version(2).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void eightWriters(String name, CreateOptions o) throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("c.qcow2");
    int size = (int) o.size();
    int region = size / (THREADS + 1) / 512 * 512;
    int sharedStart = THREADS * region;
    int sharedSectors = (size - sharedStart) / 512;
    byte[] model = new byte[size];
    // lastWrite[t][sector] = sequence number of thread t's last write covering that sector.
    int[][] lastWrite = new int[THREADS][sharedSectors];
    try (Qcow2Image image = Qcow2Image.create(new NoSyncLocation(img), o,
        OpenOptions.readWrite())) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          runThread(disk, id, id * region, region, sharedStart, sharedSectors, model,
              lastWrite[id], o.clusterSize());
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      byte[] shared = new byte[size - sharedStart];
      disk.read(ByteBuffer.wrap(shared), sharedStart);
      for (int s = 0; s < sharedSectors; s++) {
        int t = shared[s * 512] & 0xFF;
        int seq = ((shared[s * 512 + 1] & 0xFF) << 8) | (shared[s * 512 + 2] & 0xFF);
        byte[] expected = new byte[512];
        if (t == 0 && seq == 0 && allZero(shared, s * 512)) {
          boolean anyWrote = false;
          for (int k = 0; k < THREADS; k++) {
            anyWrote |= lastWrite[k][s] != 0;
          }
          if (anyWrote) {
            fail(name + ": shared sector " + s + " reads zeros but was written");
          }
          continue;
        }
        if (t < 1 || t > THREADS || lastWrite[t - 1][s] != seq) {
          fail(name + ": shared sector " + s + " holds thread " + t + " write " + seq
              + ", not the last write of any thread");
        }
        fill(expected, 0, t, seq);
        assertArrayEquals(expected, Arrays.copyOfRange(shared, s * 512, s * 512 + 512),
            name + ": shared sector " + s + " is torn");
      }
      System.arraycopy(shared, 0, model, sharedStart, shared.length);
    }
    RandomOps.assertQemuAgrees(img, model, dir, name);
  }

  private static boolean allZero(byte[] b, int at) {
    for (int i = at; i < at + 512; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static void fill(byte[] b, int at, int thread, int seq) {
    for (int i = at; i < at + 512; i += 4) {
      b[i] = (byte) thread;
      b[i + 1] = (byte) (seq >>> 8);
      b[i + 2] = (byte) seq;
      b[i + 3] = (byte) ((i - at) >>> 2);
    }
  }

  private static void runThread(Qcow2Disk disk, int id, int start, int len, int sharedStart,
      int sharedSectors, byte[] model, int[] lastWrite, int cluster) throws Exception {
    Random rnd = new Random(id * 7919L);
    byte[] mine = new byte[len];
    for (int i = 1; i <= OPS; i++) {
      int kind = rnd.nextInt(100);
      int off = rnd.nextInt(len);
      int n = 1 + rnd.nextInt(Math.min(len - off, rnd.nextBoolean() ? 600 : 3 * cluster));
      if (kind < 40) {
        byte[] data = new byte[n];
        rnd.nextBytes(data);
        disk.write(ByteBuffer.wrap(data), start + off);
        System.arraycopy(data, 0, mine, off, n);
      } else if (kind < 50) {
        disk.writeZeros(start + off, n);
        Arrays.fill(mine, off, off + n, (byte) 0);
      } else if (kind < 55) {
        // Discard only whole clusters inside this thread's region.
        int c0 = (start + off + cluster - 1) / cluster * cluster;
        int c1 = (start + off + n) / cluster * cluster;
        if (c0 < c1) {
          disk.discard(c0, c1 - c0);
          Arrays.fill(mine, c0 - start, c1 - start, (byte) 0);
        }
      } else if (kind < 75) {
        byte[] got = new byte[n];
        disk.read(ByteBuffer.wrap(got), start + off);
        byte[] want = Arrays.copyOfRange(mine, off, off + n);
        if (!Arrays.equals(want, got)) {
          throw new AssertionError("thread " + id + " read back wrong data at "
              + (start + off + Arrays.mismatch(want, got)) + " after " + i + " ops");
        }
      } else if (kind < 77) {
        disk.flush();
      } else {
        int s = rnd.nextInt(sharedSectors);
        int count = 1 + rnd.nextInt(Math.min(sharedSectors - s, 2 * cluster / 512 + 1));
        byte[] data = new byte[count * 512];
        int seq = i;
        for (int k = 0; k < count; k++) {
          fill(data, k * 512, id + 1, seq);
        }
        disk.write(ByteBuffer.wrap(data), sharedStart + (long) s * 512);
        for (int k = 0; k < count; k++) {
          lastWrite[s + k] = seq;
        }
      }
    }
    synchronized (model) {
      System.arraycopy(mine, 0, model, start, len);
    }
  }
}
