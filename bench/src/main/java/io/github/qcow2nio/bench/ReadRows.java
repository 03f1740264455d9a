package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.Buffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The read rows: the allocated image against a raw FileChannel reading the same bytes from the
 * raw file, and the compressed images against {@code qemu-img bench}. Our side always includes
 * opening the image; the raw side includes opening its file. The rows read into
 * {@code ByteBuffer.allocateDirect}'s buffers, as most callers would; two more rows read the same
 * into heap buffers and into page-aligned ones, where the kernel's copy is fastest.
 */
final class ReadRows {
  private static final int MIB = 1 << 20;
  private static final int RANDOM_BLOCK = 4096;
  /** Random reads per round at full scale (a tenth of the 4 KiB blocks of 1 GiB). */
  private static final int RANDOM_READS_FULL = 26214;

  private ReadRows() {}

  static List<Row> measure(Settings s, ReferenceImages images) throws Exception {
    long size = s.bigBytes();
    long[] seq = Timing.pair(s.rounds(),
        () -> sequentialOurs(images.allocated(), ByteBuffer.allocateDirect(MIB)),
        () -> sequentialRaw(images.random(), ByteBuffer.allocateDirect(MIB)));
    int reads = (int) Math.max(1000, (long) RANDOM_READS_FULL * s.scaleMiB()
        / Settings.FULL_SCALE_MIB);
    long[] random = Timing.pair(s.rounds(), () -> randomOurs(images.allocated(), reads),
        () -> randomRaw(images.random(), reads));
    long[] heap = Timing.pair(s.rounds(),
        () -> sequentialOurs(images.allocated(), ByteBuffer.allocate(MIB)),
        () -> sequentialRaw(images.random(), ByteBuffer.allocate(MIB)));
    long[] aligned = Timing.pair(s.rounds(),
        () -> sequentialOurs(images.allocated(), Buffers.pageAligned(MIB)),
        () -> sequentialRaw(images.random(), Buffers.pageAligned(MIB)));
    Row deflate = compressed("sequential reads, deflate image", s, images.deflate(), 2.0);
    Row zstd = compressed("sequential reads, zstd image", s, images.zstd(), 2.5);
    return List.of(
        Row.speed("sequential 1 MiB reads, allocated", "raw FileChannel", seq[0], seq[1], size,
            1.0),
        Row.speed("random 4 KiB reads (" + reads + ")", "raw FileChannel", random[0], random[1],
            (long) reads * RANDOM_BLOCK, 1.0),
        Row.speed("the sequential reads into 1 MiB heap buffers", "raw FileChannel", heap[0],
            heap[1], size, 1.0),
        Row.speed("the sequential reads into page-aligned direct buffers", "raw FileChannel",
            aligned[0], aligned[1], size, 1.0),
        deflate, zstd);
  }

  /**
   * Ours: 1 MiB reads from start to end. qemu-img: {@code bench -s 64K} with as many requests as
   * cover the disk once (its default depth of 64 requests in flight, cache writeback).
   */
  private static Row compressed(String workload, Settings s, Path image, double target)
      throws Exception {
    long size = s.textBytes();
    List<String> bench = List.of("qemu-img", "bench", "-f", "qcow2", "-s", "64K", "-c",
        Long.toString(size / 65536), image.toString());
    long[] t = Timing.pair(s.rounds(),
        () -> sequentialOurs(image, ByteBuffer.allocateDirect(MIB)), () -> Proc.run(bench));
    return Row.speed(workload, "qemu-img bench -s 64K", t[0], t[1], size, target);
  }

  /** Reads of {@code buf}'s capacity from start to end. */
  static void sequentialOurs(Path image, ByteBuffer buf) throws IOException {
    int block = buf.capacity();
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk disk = img.disk();
      long size = disk.size();
      for (long off = 0; off < size; off += block) {
        disk.read(buf.clear(), off);
      }
    }
  }

  static void sequentialRaw(Path raw, ByteBuffer buf) throws IOException {
    int block = buf.capacity();
    try (FileChannel ch = FileChannel.open(raw)) {
      long size = ch.size();
      for (long off = 0; off < size; off += block) {
        buf.clear();
        while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
          // a FileChannel may return short: loop as our read does for us
        }
      }
    }
  }

  private static void randomOurs(Path image, int reads) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(RANDOM_BLOCK);
    SplittableRandom rnd = new SplittableRandom(7);
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk disk = img.disk();
      long blocks = disk.size() / RANDOM_BLOCK;
      for (int i = 0; i < reads; i++) {
        disk.read(buf.clear(), rnd.nextLong(blocks) * RANDOM_BLOCK);
      }
    }
  }

  private static void randomRaw(Path raw, int reads) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(RANDOM_BLOCK);
    SplittableRandom rnd = new SplittableRandom(7);
    try (FileChannel ch = FileChannel.open(raw)) {
      long blocks = ch.size() / RANDOM_BLOCK;
      for (int i = 0; i < reads; i++) {
        buf.clear();
        long off = rnd.nextLong(blocks) * RANDOM_BLOCK;
        while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
          // loop until full
        }
      }
    }
  }
}
