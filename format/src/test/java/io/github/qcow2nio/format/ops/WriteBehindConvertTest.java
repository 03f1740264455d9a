package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.ClusterReservations;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.io.ForwardingHostFile;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import io.github.qcow2nio.format.testing.WrappingLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Convert's write-behind: data written on several threads, into a raw file by position and into
 * qcow2 through cluster reservations (entries set after their data). The copies must read as
 * their sources over varied images (zero runs, holes, backing files, compressed sources, small
 * clusters, sizes not a multiple of the cluster), and a worker's failed write must fail the call
 * with that exception, leave no entry naming unwritten data, and leave no thread behind.
 */
class WriteBehindConvertTest {
  /** Not a multiple of any cluster size: 9 MiB and three sectors. */
  private static final int SIZE = (9 << 20) + 1536;
  @TempDir Path dir;

  /** Random data with zero runs of many lengths, a raw file. */
  private Path rawSource(long seed) throws IOException {
    Random r = new Random(seed);
    byte[] b = new byte[SIZE];
    r.nextBytes(b);
    int[][] zeros = {{0, 4096}, {100_000, 3000}, {1 << 20, 1 << 20}, {(3 << 20) + 512, 70_000},
        {(5 << 20) - 65536, 65536 * 3}, {SIZE - 2048, 2048}};
    for (int[] z : zeros) {
      java.util.Arrays.fill(b, z[0], z[0] + z[1], (byte) 0);
    }
    Path p = dir.resolve("src" + seed + ".raw");
    Files.write(p, b);
    return p;
  }

  /**
   * A chain: a base with data, an overlay of 4 KiB clusters with data, zero clusters over base
   * data and holes.
   */
  private Path chainSource() throws IOException {
    Random r = new Random(7);
    Path base = dir.resolve("base.qcow2");
    try (Qcow2Image image = Qcow2Image.create(base, CreateOptions.builder(SIZE).build())) {
      put(image.disk(), r, 0, 3 << 20);
      put(image.disk(), r, 6 << 20, SIZE - (6 << 20));
    }
    Path top = dir.resolve("top.qcow2");
    try (Qcow2Image image = Qcow2Image.create(top, CreateOptions.builder(SIZE).clusterSize(4096)
        .backingFile(base.toString()).backingFormat("qcow2").build())) {
      put(image.disk(), r, (2 << 20) + 1000, 2 << 20);
      image.disk().writeZeros(1 << 20, 256 << 10);
      put(image.disk(), r, (7 << 20) + 333, 100_000);
      image.disk().writeZeros(SIZE - 8192, 8192);
    }
    return top;
  }

  private static void put(VirtualDisk disk, Random r, long at, int len) throws IOException {
    byte[] b = new byte[len];
    r.nextBytes(b);
    disk.write(ByteBuffer.wrap(b), at);
  }

  private Path source(String kind) throws IOException {
    return switch (kind) {
      case "raw" -> rawSource(1);
      case "chain" -> chainSource();
      case "compressed" -> {
        Path raw = rawSource(2);
        Path c = dir.resolve("compressed.qcow2");
        Qemu.img("convert", "-f", "raw", "-O", "qcow2", "-c", raw.toString(), c.toString());
        yield c;
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static String sourceFormat(Path p) {
    return p.toString().endsWith(".raw") ? "raw" : "qcow2";
  }

  /** Converts {@code src} to {@code target} as the tool does (nothing forced). */
  private static void convert(Path src, Path target, String format, int clusterSize)
      throws IOException {
    CreateOptions.Builder create = CreateOptions.builder(0);
    if (clusterSize > 0) {
      create.clusterSize(clusterSize);
    }
    ImageOperations.convert(ConvertOptions.builder(
            new ImageSource(src, sourceFormat(src), null, false), target, format)
        .create(create.build()).forceWrites(false).build());
  }

  /** The guest bytes of an image or raw file, through this library. */
  private static byte[] contents(Path p) throws IOException {
    if (p.toString().endsWith(".raw")) {
      return Files.readAllBytes(p);
    }
    try (Qcow2Image image = Qcow2Image.open(p, OpenOptions.readOnly())) {
      VirtualDisk d = image.disk();
      ByteBuffer b = ByteBuffer.allocate((int) d.size());
      while (b.hasRemaining()) {
        int n = d.read(b, b.position());
        assertTrue(n > 0, "short read at " + b.position());
      }
      return b.array();
    }
  }

  private static final String[] TARGETS = {"qcow2:0", "qcow2:512", "qcow2:4096", "qcow2:2097152",
      "raw:0"};

  @ParameterizedTest
  @ValueSource(strings = {"raw", "chain"})
  void copiesReadAsTheirSources(String kind) throws IOException {
    Path src = source(kind);
    byte[] expected = contents(src);
    for (String t : TARGETS) {
      String format = t.substring(0, t.indexOf(':'));
      int cluster = Integer.parseInt(t.substring(t.indexOf(':') + 1));
      Path target = dir.resolve("t" + cluster + "." + format);
      convert(src, target, format, cluster);
      assertArrayEquals(expected, contents(target), kind + " to " + t);
      assertNoThreadLeft();
    }
  }

  @Tag("qemu")
  @ParameterizedTest
  @ValueSource(strings = {"raw", "chain", "compressed"})
  void qemuImgFindsTheCopiesIdenticalAndClean(String kind) throws IOException {
    Qemu.assumeAvailable();
    Path src = source(kind);
    for (String t : TARGETS) {
      String format = t.substring(0, t.indexOf(':'));
      int cluster = Integer.parseInt(t.substring(t.indexOf(':') + 1));
      Path target = dir.resolve("q" + cluster + "." + format);
      convert(src, target, format, cluster);
      QemuImg.Compare c = QemuImg.compare(src, target, false);
      assertEquals(0, c.exitCode(), kind + " to " + t + ": " + c.output());
      if (format.equals("qcow2")) {
        QemuImg.Check k = QemuImg.check(target);
        assertEquals(0, k.exitCode(), kind + " to " + t + ": " + k.output());
      }
      Files.delete(target);
    }
  }

  /**
   * The files at a path, whose host write number {@code failAt} among a writer thread's data
   * writes fails.
   */
  private static final class FailingLocation extends WrappingLocation {
    final AtomicInteger dataWrites;
    final AtomicReference<IOException> thrown;

    FailingLocation(Path path, int failAt) {
      this(path, failAt, new AtomicInteger(), new AtomicReference<>());
    }

    private FailingLocation(Path path, int failAt, AtomicInteger dataWrites,
        AtomicReference<IOException> thrown) {
      super(path, f -> new ForwardingHostFile() {
        @Override
        public HostFile delegate() {
          return f;
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
          if (Thread.currentThread().getName().equals(WriteBehind.THREAD_NAME)
              && src.remaining() >= 4096 && dataWrites.getAndIncrement() == failAt) {
            IOException e = new IOException("injected at host " + position);
            thrown.set(e);
            throw e;
          }
          f.write(src, position);
        }
      });
      this.dataWrites = dataWrites;
      this.thrown = thrown;
    }
  }

  @Test
  void aWorkerWriteFailingFailsTheCallWithItAndNamesNoUnwrittenData() throws IOException {
    Path src = rawSource(3);
    byte[] expected = contents(src);
    Path srcImage = dir.resolve("src.qcow2");
    convert(src, srcImage, "qcow2", 0);
    int points = 0;
    for (int failAt = 0; ; failAt += 1) {
      Path target = dir.resolve("f" + failAt + ".qcow2");
      FailingLocation at = new FailingLocation(target, failAt);
      IOException failure = null;
      try (Qcow2Image source = Qcow2Image.open(srcImage, OpenOptions.readOnly());
          Qcow2Image image = Qcow2Image.create(at, CreateOptions.builder(SIZE).build(),
              OpenOptions.readWrite())) {
        ClusterReservations r = ((Qcow2Disk) image.disk()).writer().reservations();
        ConvertSteps steps = new ConvertSteps(SourceChain.of(source), Convert.CHUNK, 4096,
            false, 0);
        try {
          Convert.copy(steps, image.disk(), SIZE, 4096, true, null, (d, t) -> { }, r::write);
        } catch (IOException e) {
          failure = e;
        }
      }
      assertNoThreadLeft();
      if (at.thrown.get() == null) {
        // Past the last data write: the copy is whole.
        assertEquals(null, failure);
        assertArrayEquals(expected, contents(target));
        break;
      }
      points++;
      assertSame(at.thrown.get(), failure, "the call fails with the worker's exception");
      assertNothingNamesUnwrittenData(target, expected, "failing data write " + failAt);
      if (Qemu.available()) {
        QemuImg.Check k = QemuImg.check(target);
        assertEquals(0, k.corruptions(), k.output());
        assertEquals(0, k.checkErrors(), k.output());
        assertTrue(k.exitCode() == 0 || k.exitCode() == 3, k.output());
      }
      Files.delete(target);
    }
    assertTrue(points >= 4, "data writes failed: " + points);
  }

  /** Every allocated guest cluster of {@code target} holds what the source holds there. */
  private static void assertNothingNamesUnwrittenData(Path target, byte[] expected, String what)
      throws IOException {
    byte[] got = contents(target);
    try (Qcow2Image image = Qcow2Image.open(target, OpenOptions.readOnly())) {
      VirtualDisk d = image.disk();
      for (long at = 0; at < d.size(); ) {
        Extent e = d.blockStatus(at, d.size() - at);
        if (e.type() == ClusterType.NORMAL) {
          for (long i = e.start(); i < e.end(); i++) {
            if (got[(int) i] != expected[(int) i]) {
              throw new AssertionError(what + ": allocated guest byte " + i
                  + " differs from the source (an entry names unwritten data)");
            }
          }
        } else {
          for (long i = e.start(); i < e.end(); i++) {
            assertEquals(0, got[(int) i], what + ": an unallocated byte reads non-zero");
          }
        }
        at = e.end();
      }
    }
  }

  private static void assertNoThreadLeft() {
    List<String> left = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && (t.getName().equals(WriteBehind.THREAD_NAME)
          || t.getName().equals(CopyPipeline.THREAD_NAME))) {
        left.add(t.getName());
      }
    }
    assertFalse(!left.isEmpty(), "threads outlived the copy: " + left);
  }

  @Test
  void aFailureBeforeAnyHandOffIsThrownByTheNextOne() throws IOException {
    try (WriteBehind behind = new WriteBehind(2)) {
      IOException boom = new IOException("boom");
      behind.submit(() -> {
        throw boom;
      }, () -> { });
      behind.awaitQuietly();
      assertSame(boom, assertThrows(IOException.class, () -> behind.submit(() -> { }, () -> { })));
      assertSame(boom, assertThrows(IOException.class, behind::await));
    }
    assertNoThreadLeft();
  }

  /**
   * A pool says it has terminated once its last writer has left its loop, a moment before that
   * thread ends; close must wait for the threads themselves. Each writer here is held past its
   * work until a helper lets it go, so a close that returned on the pool's word alone would
   * return before the helper did.
   */
  @Test
  void closeReturnsOnlyOnceEveryWriterThreadHasEnded() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean released = new AtomicBoolean();
    WriteBehind behind = new WriteBehind(2, work -> () -> {
      work.run();
      boolean interrupted = false;
      while (release.getCount() > 0) {
        try {
          release.await();
        } catch (InterruptedException e) {
          // The pool's shutdown interrupts idle writers; this one must stay until released.
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 4; i++) {
      behind.submit(() -> { }, () -> { });
    }
    behind.await();
    Thread helper = new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      released.set(true);
      release.countDown();
    });
    helper.start();
    behind.close();
    assertTrue(released.get(), "close returned while its writer threads were still running");
    assertNoThreadLeft();
    helper.join();
  }
}
