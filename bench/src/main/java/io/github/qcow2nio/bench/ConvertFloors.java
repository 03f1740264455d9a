package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.io.Buffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not rows of the issue: the least time a convert to a raw file can take here, each timed in
 * turn with {@code qemu-img convert} of the allocated image to raw, so that its ratio is the
 * highest the convert rows could reach on this machine. Two floors: the output alone, written
 * from memory; and a copy of the same amount of data from file to file with nothing but one
 * reading and one writing thread, the least that reading and writing it can take together.
 */
final class ConvertFloors {
  /** The size of convert's chunks. */
  private static final int BLOCK = 2 << 20;
  /** Buffers between the copy's two threads, as many as convert's pipeline holds. */
  private static final int BUFFERS = 4;
  /** What the copy's reader hands over when it fails. */
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private ConvertFloors() {}

  static List<Row> measure(Settings s, ReferenceImages images) throws Exception {
    return List.of(writeFloor(s, images.allocated()), copyFloor(s, images));
  }

  /** The output written from one buffer in memory into a new file, 2 MiB at a time. */
  private static Row writeFloor(Settings s, Path allocated) throws Exception {
    Path floor = s.dir().resolve("floor.raw");
    long bytes = s.bigBytes();
    ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
    new SplittableRandom(5).ints(BLOCK / Integer.BYTES).forEach(block::putInt);
    long[] t = againstQemu(s, allocated, floor, () -> writeFrom(block, floor, bytes));
    return new Row("floor of a convert to raw: its " + (bytes >> 20) + " MiB output written from "
        + "memory, nothing read", Row.time(t[0], bytes), "qemu-img convert (qcow2 → raw): "
        + Row.time(t[1], bytes), Row.format("at most %.2f", (double) t[1] / t[0]), "-", "-");
  }

  /**
   * The raw reference image (the allocated image's bytes) copied into a new file: one thread
   * reads 2 MiB at a time into four page-aligned buffers, the calling thread writes them in
   * order; no block status, no zero scan, no metadata.
   */
  private static Row copyFloor(Settings s, ReferenceImages images) throws Exception {
    Path floor = s.dir().resolve("floor.raw");
    long bytes = s.bigBytes();
    long[] t = againstQemu(s, images.allocated(), floor, () -> copy(images.random(), floor));
    return new Row("floor of a convert to raw: the same " + (bytes >> 20) + " MiB read from a "
        + "raw file and written to a new one, one thread each, nothing else",
        Row.time(t[0], bytes), "qemu-img convert (qcow2 → raw): " + Row.time(t[1], bytes),
        Row.format("at most %.2f", (double) t[1] / t[0]), "-", "-");
  }

  private static long[] againstQemu(Settings s, Path allocated, Path floor, Timing.Work work)
      throws Exception {
    Path target = s.dir().resolve("converted.raw");
    long[] t = Timing.alternate(s.rounds(),
        new Timing.Side(() -> Files.deleteIfExists(floor), work),
        new Timing.Side(() -> Files.deleteIfExists(target), () -> Proc.run(List.of("qemu-img",
            "convert", "-f", "qcow2", "-O", "raw", allocated.toString(), target.toString()))));
    Files.deleteIfExists(floor);
    Files.deleteIfExists(target);
    return t;
  }

  private static void writeFrom(ByteBuffer block, Path file, long bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long at = 0; at < bytes; at += block.capacity()) {
        ByteBuffer b = block.duplicate().clear().limit((int) Math.min(block.capacity(), bytes - at));
        while (b.hasRemaining()) {
          ch.write(b, at + b.position());
        }
      }
    }
  }

  private static void copy(Path source, Path target) throws Exception {
    BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    for (int i = 0; i < BUFFERS; i++) {
      free.add(Buffers.pageAligned(BLOCK));
    }
    AtomicReference<Exception> failed = new AtomicReference<>();
    try (FileChannel in = FileChannel.open(source);
        FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      long size = in.size();
      Thread reader = new Thread(() -> {
        try {
          for (long at = 0; at < size; at += BLOCK) {
            ByteBuffer b = free.take().clear();
            b.limit((int) Math.min(BLOCK, size - at));
            while (b.hasRemaining() && in.read(b, at + b.position()) >= 0) {
              // until full
            }
            full.put(b.flip());
          }
        } catch (IOException | InterruptedException e) {
          failed.set(e);
          // Room is kept for this one: the writer stops at it instead of waiting for more.
          full.add(END);
        }
      }, "copy-floor-reader");
      reader.start();
      try {
        for (long at = 0; at < size; at += BLOCK) {
          ByteBuffer b = full.take();
          if (b == END) {
            throw failed.get();
          }
          while (b.hasRemaining()) {
            out.write(b, at + b.position());
          }
          free.put(b);
        }
      } finally {
        reader.interrupt();
        reader.join();
      }
    }
  }
}
