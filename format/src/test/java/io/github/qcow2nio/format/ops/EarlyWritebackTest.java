package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.ForwardingHostFile;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.testing.WrappingLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commit's early write-back of the base: forces start from a helper thread every step, the
 * result is the same commit, and a force that fails there fails the commit before the overlay
 * changes (the kernel would not report that error to the final flush again).
 */
class EarlyWritebackTest {
  private static final int SIZE = 4 << 20;
  private static final int CLUSTER = 65536;
  @TempDir Path dir;

  @AfterEach
  void restoreStep() {
    Commit.writebackStep = EarlyWriteback.STEP;
  }

  /** A file whose forces are counted, and fail once {@code failForces} is set. */
  private static final class Counting implements ForwardingHostFile {
    final HostFile delegate;
    final AtomicInteger forces;
    final boolean fail;

    Counting(HostFile delegate, AtomicInteger forces, boolean fail) {
      this.delegate = delegate;
      this.forces = forces;
      this.fail = fail;
    }

    @Override
    public HostFile delegate() {
      return delegate;
    }

    @Override
    public void force() throws IOException {
      forces.incrementAndGet();
      if (fail) {
        throw new IOException("injected write-back error");
      }
      delegate.force();
    }
  }

  /** The chain from disk, the base's writable opens through {@link Counting}. */
  private static ImageLocation watching(Path top, AtomicInteger forces, boolean fail) {
    return new WrappingLocation(top, f -> f.isWritable() && f.name().endsWith("base.qcow2")
        ? new Counting(f, forces, fail) : f);
  }

  private byte[] chain(Path dir, Random r) throws IOException {
    Files.createDirectories(dir);
    Path base = dir.resolve("base.qcow2");
    Path top = dir.resolve("top.qcow2");
    Qcow2Image.create(base, CreateOptions.builder(SIZE).clusterSize(CLUSTER).build()).close();
    Qcow2Image.create(top, CreateOptions.builder(SIZE).clusterSize(CLUSTER)
        .backingFile("base.qcow2").backingFormat("qcow2").build()).close();
    byte[] guest = new byte[SIZE];
    r.nextBytes(guest);
    try (Qcow2Image img = Qcow2Image.open(base, OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap(guest.clone()), 0);
    }
    byte[] data = new byte[SIZE / 2];
    r.nextBytes(data);
    try (Qcow2Image img = Qcow2Image.open(top, OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap(data), SIZE / 4);
    }
    System.arraycopy(data, 0, guest, SIZE / 4, data.length);
    return guest;
  }

  private static byte[] read(Path image) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk d = img.disk();
      ByteBuffer buf = ByteBuffer.allocate((int) d.size());
      d.read(buf, 0);
      return buf.array();
    }
  }

  /** Commits a fresh chain with early forces every {@code step} bytes; returns the base's forces. */
  private int commit(String name, long step) throws IOException {
    Path d = dir.resolve(name);
    byte[] guest = chain(d, new Random(7));
    Commit.writebackStep = step;
    AtomicInteger forces = new AtomicInteger();
    Path top = d.resolve("top.qcow2");
    Commit.run(watching(top, forces, false), CommitOptions.of(top),
        ProgressListener.NONE);
    assertArrayEquals(guest, read(d.resolve("base.qcow2")));
    assertArrayEquals(guest, read(top));
    // Emptied and cut back: none of the 2 MiB of data stays in the overlay's file.
    assertTrue(Files.size(top) < SIZE / 4, "overlay length " + Files.size(top));
    return forces.get();
  }

  @Test
  void forcesTheBaseAsTheCopyGoesAndCommitsTheSame() throws IOException {
    int finalOnly = commit("late", Long.MAX_VALUE);
    // 2 MiB copied in 256 KiB steps: at least the first step's force, at most one per step.
    int early = commit("early", 256 << 10);
    assertTrue(early > finalOnly && early <= finalOnly + 8, finalOnly + " then " + early);
  }

  @Test
  void aFailedEarlyForceFailsTheCommitAndLeavesTheOverlay() throws IOException {
    byte[] guest = chain(dir, new Random(8));
    Path top = dir.resolve("top.qcow2");
    byte[] topBefore = Files.readAllBytes(top);
    Commit.writebackStep = 256 << 10;
    AtomicInteger forces = new AtomicInteger();
    IOException e = assertThrows(IOException.class, () -> Commit.run(
        watching(top, forces, true), CommitOptions.of(top),
        ProgressListener.NONE));

    assertEquals("injected write-back error", e.getMessage());
    assertArrayEquals(topBefore, Files.readAllBytes(top), "the overlay is not touched");
    assertArrayEquals(guest, read(top));
    // Run again without the fault: the full result.
    Commit.run(new PathLocation(top), CommitOptions.of(top), ProgressListener.NONE);
    assertArrayEquals(guest, read(dir.resolve("base.qcow2")));
  }

  @Test
  void theStepGathersWhileAForceRunsAndFinishReportsIt() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    Object gate = new Object();
    IOException failure = new IOException("late");
    HostFile slow = new ForwardingHostFile() {
      @Override
      public HostFile delegate() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void force() throws IOException {
        forces.incrementAndGet();
        synchronized (gate) {
          try {
            gate.wait(200);
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          }
        }
        throw failure;
      }
    };
    try (EarlyWriteback w = new EarlyWriteback(slow, 10)) {
      w.written(10); // starts one
      w.written(10); // one in flight: gathers
      w.written(10);
      IOException e = assertThrows(IOException.class, w::finish);
      assertSame(failure, e);
      assertEquals(1, forces.get());
    }
  }
}
