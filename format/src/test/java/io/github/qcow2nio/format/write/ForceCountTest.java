package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.UnsafeCacheLocation;
import io.github.qcow2nio.format.io.ForwardingHostFile;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.WrappingLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host forces are what make writing slow: they must be paid per flush (a fixed handful), never
 * per write. Counts them with a wrapper around the image file.
 */
class ForceCountTest {
  @TempDir Path dir;

  /** A location whose files count every force and write. */
  private static ImageLocation counting(Path p, AtomicInteger forces, AtomicInteger writes) {
    return new WrappingLocation(p, f -> new Counting(f, forces, writes));
  }

  private static ImageLocation counting(Path p, AtomicInteger forces) {
    return counting(p, forces, new AtomicInteger());
  }

  private record Counting(HostFile delegate, AtomicInteger forces, AtomicInteger writes)
      implements ForwardingHostFile {
    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      writes.incrementAndGet();
      delegate.write(src, position);
    }

    @Override
    public void force() throws IOException {
      forces.incrementAndGet();
      delegate.force();
    }
  }

  /**
   * The most forces one flush may cost (one host file): data, refcounts and a grown size; L2
   * tables; L1 entries; the final one.
   */
  private static final int PER_FLUSH = 4;

  @Test
  void allocatingWritesThenOneFlushCostAFixedNumberOfForces() throws Exception {
    int size = 1 << 20;
    int cluster = 4096;
    Path img = dir.resolve("f.qcow2");
    AtomicInteger forces = new AtomicInteger();
    byte[] model = new byte[size];
    Random rnd = new Random(3);
    try (Qcow2Image image = Qcow2Image.create(counting(img, forces),
        CreateOptions.builder(size).clusterSize(cluster).build(), OpenOptions.readWrite())) {
      forces.set(0);
      // 100 allocating writes, each in its own cluster, in a scattered order.
      for (int i = 0; i < 100; i++) {
        int c = (i * 37) % (size / cluster);
        byte[] data = new byte[1000];
        rnd.nextBytes(data);
        int off = c * cluster + 100;
        image.disk().write(ByteBuffer.wrap(data), off);
        System.arraycopy(data, 0, model, off, data.length);
      }
      image.disk().flush();
      assertTrue(forces.get() <= PER_FLUSH, forces.get() + " forces for 100 writes and a flush");
    }
    if (Qemu.available()) {
      RandomOps.assertQemuAgrees(img, model, dir, "force count");
    }
  }

  @Test
  void aWriteOverNewClustersIsOneHostWrite() throws Exception {
    int cluster = 65536;
    Path img = dir.resolve("w.qcow2");
    AtomicInteger forces = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    byte[] model = new byte[8 << 20];
    Random rnd = new Random(5);
    try (Qcow2Image image = Qcow2Image.create(counting(img, forces, writes),
        CreateOptions.builder(model.length).clusterSize(cluster).build(),
        OpenOptions.readWrite())) {
      // Aligned and unaligned requests over several clusters never allocated before.
      int[][] requests = {{0, 1 << 20}, {(1 << 20) + 100, 5 * cluster}, {3 << 20, 3 * cluster + 7}};
      for (int[] r : requests) {
        byte[] data = new byte[r[1]];
        rnd.nextBytes(data);
        writes.set(0);
        image.disk().write(ByteBuffer.wrap(data), r[0]);
        assertTrue(writes.get() == 1, writes.get() + " host writes for " + r[1] + " bytes at "
            + r[0]);
        System.arraycopy(data, 0, model, r[0], data.length);
      }
      // Rewriting owned clusters in place is one host write too.
      byte[] data = new byte[4 * cluster];
      rnd.nextBytes(data);
      writes.set(0);
      image.disk().write(ByteBuffer.wrap(data), 50);
      assertTrue(writes.get() == 1, writes.get() + " host writes in place");
      System.arraycopy(data, 0, model, 50, data.length);
    }
    if (Qemu.available()) {
      RandomOps.assertQemuAgrees(img, model, dir, "runs");
    }
  }

  @Test
  void writesOverManyTablesOfAGrownDiskCostAFixedNumberOfForces() throws Exception {
    int cluster = 4096;
    long size = 64 << 20;
    Path img = dir.resolve("t.qcow2");
    AtomicInteger forces = new AtomicInteger();
    byte[] model = new byte[(int) size];
    try (Qcow2Image image = Qcow2Image.create(counting(img, forces),
        CreateOptions.builder(1 << 20).clusterSize(cluster).build(), OpenOptions.readWrite())) {
      // The cache was sized when the disk was small; the disk now needs 32 L2 tables.
      image.disk().resize(size);
      forces.set(0);
      long perTable = (long) cluster / 8 * cluster;
      for (int round = 0; round < 3; round++) {
        for (long t = 0; t < size / perTable; t++) {
          int off = (int) (t * perTable + round * 3 * cluster + 7);
          byte[] data = {(byte) (t + 1), (byte) round, 9};
          image.disk().write(ByteBuffer.wrap(data), off);
          System.arraycopy(data, 0, model, off, data.length);
        }
      }
      image.disk().flush();
      assertTrue(forces.get() <= PER_FLUSH, forces.get() + " forces for 96 writes over 32 tables"
          + " and a flush");
    }
    if (Qemu.available()) {
      RandomOps.assertQemuAgrees(img, model, dir, "many tables");
    }
  }

  @Test
  void growingByAppendingCostsNoForcePerResize() throws Exception {
    int cluster = 65536;
    Path img = dir.resolve("g.qcow2");
    AtomicInteger forces = new AtomicInteger();
    int chunk = 8192;
    int chunks = 256;
    byte[] model = new byte[chunk * chunks];
    Random rnd = new Random(4);
    try (Qcow2Image image = Qcow2Image.create(counting(img, forces),
        CreateOptions.builder(0).clusterSize(cluster).build(), OpenOptions.readWrite())) {
      // The first growth moves the (empty) L1 table; later ones fit in it.
      image.disk().resize(chunk);
      forces.set(0);
      for (int i = 0; i < chunks; i++) {
        if (i > 0) {
          image.disk().resize((long) (i + 1) * chunk);
        }
        byte[] data = new byte[chunk];
        rnd.nextBytes(data);
        image.disk().write(ByteBuffer.wrap(data), (long) i * chunk);
        System.arraycopy(data, 0, model, i * chunk, chunk);
      }
      image.disk().flush();
      assertTrue(forces.get() <= PER_FLUSH, forces.get() + " forces for " + chunks
          + " appends and a flush");
    }
    try (Qcow2Image image = Qcow2Image.open(img)) {
      byte[] back = new byte[model.length];
      image.disk().read(ByteBuffer.wrap(back), 0);
      assertArrayEquals(model, back);
    }
    if (Qemu.available()) {
      RandomOps.assertQemuAgrees(img, model, dir, "appending growth");
    }
  }

  /**
   * Cache mode "unsafe" (qemu-img convert's target): creating, writing across many tables,
   * flushing and closing force nothing, yet every write reaches the file in order, so the image
   * is whole once closed.
   */
  @Test
  void anUnsafeCacheLocationForcesNothing() throws Exception {
    int cluster = 4096;
    Path img = dir.resolve("u.qcow2");
    AtomicInteger forces = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    byte[] model = new byte[4 << 20];
    new Random(6).nextBytes(model);
    try (Qcow2Image image = Qcow2Image.create(
        new UnsafeCacheLocation(counting(img, forces, writes)),
        CreateOptions.builder(model.length).clusterSize(cluster).build(),
        OpenOptions.readWrite())) {
      for (int off = 0; off < model.length; off += 300_000) {
        int n = Math.min(200_000, model.length - off);
        image.disk().write(ByteBuffer.wrap(model, off, n), off);
      }
      image.disk().flush();
    }
    for (int off = 0; off < model.length; off += 300_000) {
      int gap = Math.min(off + 300_000, model.length);
      java.util.Arrays.fill(model, Math.min(off + 200_000, gap), gap, (byte) 0);
    }
    assertEquals(0, forces.get(), "forces under cache mode unsafe");
    assertTrue(writes.get() > 0, "the writes went through the wrapped file");
    try (Qcow2Image image = Qcow2Image.open(img)) {
      byte[] back = new byte[model.length];
      image.disk().read(ByteBuffer.wrap(back), 0);
      assertArrayEquals(model, back);
    }
    if (Qemu.available()) {
      RandomOps.assertQemuAgrees(img, model, dir, "unsafe cache");
    }
  }
}
