package io.github.qcow2nio.examples.bench;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Write throughput of the format core and of the provider against a raw {@link FileChannel} doing
 * the same writes, and against qemu-img, in one run, reported as ratios (the machine is shared,
 * absolute times are noise). Every side ends with one flush (force), so durability costs count.
 *
 * <p>Usage: {@code java -cp qcow2.jar io.github.qcow2nio.examples.bench.WriteBenchmark [MiB]}.
 * It needs qemu-img; it works in a temporary directory and deletes it.
 */
public final class WriteBenchmark {
  private static final int RANDOM_WRITES = 20000;
  private static final int APPEND_CHUNK = 8192;

  private WriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    long size = (long) mib << 20;
    Path dir = Files.createTempDirectory("qcow2-wbench");
    try {
      Path source = dir.resolve("source.raw");
      Bench.writeRandomish(source, size, 0.5);
      System.out.printf(Locale.ROOT, "disk: %d MiB, new images, one flush at the end; best of %d"
          + " rounds%n", mib, Bench.ROUNDS);

      Bench.report("sequential 1 MiB writes, filling the disk",
          Bench.best(() -> seqRaw(dir, size, 1 << 20)),
          Bench.best(() -> seqQcow2(dir, size, 1 << 20)));
      Bench.report("sequential 64 KiB writes, filling the disk",
          Bench.best(() -> seqRaw(dir, size, 1 << 16)),
          Bench.best(() -> seqQcow2(dir, size, 1 << 16)));
      Bench.report("random 4 KiB writes (" + RANDOM_WRITES + ")",
          Bench.best(() -> randRaw(dir, size, 4096)), Bench.best(() -> randQcow2(dir, size, 4096)));
      Bench.report("provider: sequential 1 MiB writes",
          Bench.best(() -> seqRaw(dir, size, 1 << 20)),
          Bench.best(() -> seqProvider(dir, size, 1 << 20)));
      long grow = Math.min(size, 16L << 20);
      Bench.report("provider: appending 8 KiB to a truncated disk (" + (grow >> 20) + " MiB)",
          Bench.best(() -> appendRaw(dir, grow)),
          Bench.best(() -> appendProvider(dir, size, grow)));

      double convert = (double) Bench.best(() -> convertOurs(source, dir))
          / Bench.best(() -> qemuImgConvert(source, dir));
      System.out.printf(Locale.ROOT, "%-52s qcow2-nio/qemu-img = %.2f%n",
          "raw (half zeros) to a new qcow2, flushed", convert);
      qemuBench(dir, "sequential 4 KiB writes (" + RANDOM_WRITES + ")", 4096);
      qemuBench(dir, "4 KiB writes 64 KiB apart (" + RANDOM_WRITES + ")", 65536);
    } finally {
      Bench.deleteScratch(dir);
    }
  }

  private static ByteBuffer filled(int block) {
    ByteBuffer buf = ByteBuffer.allocateDirect(block);
    SplittableRandom rnd = new SplittableRandom(block);
    while (buf.hasRemaining()) {
      buf.put((byte) ('a' + rnd.nextInt(8)));
    }
    return buf.clear();
  }

  private static FileChannel newRaw(Path dir, long size) throws IOException {
    Path p = dir.resolve("out.raw");
    Files.deleteIfExists(p);
    FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ch.truncate(size);
    return ch;
  }

  private static Qcow2Image newQcow2(Path dir, long size) throws IOException {
    Path p = dir.resolve("out.qcow2");
    Files.deleteIfExists(p);
    return Qcow2Image.create(new PathLocation(p), CreateOptions.defaults(size),
        OpenOptions.readWrite());
  }

  private static void seqRaw(Path dir, long size, int block) throws IOException {
    ByteBuffer buf = filled(block);
    try (FileChannel ch = newRaw(dir, size)) {
      for (long off = 0; off < size; off += block) {
        buf.clear();
        while (buf.hasRemaining()) {
          ch.write(buf, off + buf.position());
        }
      }
      ch.force(true);
    }
  }

  private static void seqQcow2(Path dir, long size, int block) throws IOException {
    ByteBuffer buf = filled(block);
    try (Qcow2Image img = newQcow2(dir, size)) {
      VirtualDisk disk = img.disk();
      for (long off = 0; off < size; off += block) {
        buf.clear();
        disk.write(buf, off);
      }
      disk.flush();
    }
  }

  private static void randRaw(Path dir, long size, int block) throws IOException {
    ByteBuffer buf = filled(block);
    SplittableRandom rnd = new SplittableRandom(7);
    try (FileChannel ch = newRaw(dir, size)) {
      long blocks = size / block;
      for (int i = 0; i < RANDOM_WRITES; i++) {
        buf.clear();
        long off = rnd.nextLong(blocks) * block;
        while (buf.hasRemaining()) {
          ch.write(buf, off + buf.position());
        }
      }
      ch.force(true);
    }
  }

  private static void randQcow2(Path dir, long size, int block) throws IOException {
    ByteBuffer buf = filled(block);
    SplittableRandom rnd = new SplittableRandom(7);
    try (Qcow2Image img = newQcow2(dir, size)) {
      VirtualDisk disk = img.disk();
      long blocks = size / block;
      for (int i = 0; i < RANDOM_WRITES; i++) {
        buf.clear();
        disk.write(buf, rnd.nextLong(blocks) * block);
      }
      disk.flush();
    }
  }

  private static FileSystem newProviderFs(Path dir, long size) throws IOException {
    Path p = dir.resolve("out.qcow2");
    Files.deleteIfExists(p);
    return FileSystems.newFileSystem(URI.create("qcow2:" + p.toUri()),
        Map.of("create", "true", "size", Long.toString(size)));
  }

  private static void seqProvider(Path dir, long size, int block) throws IOException {
    ByteBuffer buf = filled(block);
    try (FileSystem fs = newProviderFs(dir, size);
        FileChannel ch = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE)) {
      for (long off = 0; off < size; off += block) {
        buf.clear();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
  }

  private static void appendRaw(Path dir, long total) throws IOException {
    ByteBuffer buf = filled(APPEND_CHUNK);
    try (FileChannel ch = newRaw(dir, 0)) {
      for (long done = 0; done < total; done += APPEND_CHUNK) {
        buf.clear();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
  }

  /** A disk truncated to nothing, then grown by writes at its end (a stream copy into /disk). */
  private static void appendProvider(Path dir, long size, long total) throws IOException {
    ByteBuffer buf = filled(APPEND_CHUNK);
    try (FileSystem fs = newProviderFs(dir, size);
        FileChannel ch = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE)) {
      ch.truncate(0);
      for (long done = 0; done < total; done += APPEND_CHUNK) {
        buf.clear();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
  }

  /**
   * What qemu-img convert -O qcow2 does, through the core: read 1 MiB at a time and write the runs
   * of 64 KiB blocks holding data (qemu-img leaves zero runs unallocated too), then flush.
   */
  private static void convertOurs(Path source, Path dir) throws IOException {
    int block = 65536;
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel in = FileChannel.open(source);
        Qcow2Image img = newQcow2(dir, in.size())) {
      VirtualDisk disk = img.disk();
      long size = in.size();
      for (long off = 0; off < size; off += buf.capacity()) {
        buf.clear();
        while (buf.hasRemaining() && in.read(buf, off + buf.position()) > 0) {
          // loop until full
        }
        int end = buf.position();
        int at = 0;
        while (at < end) {
          while (at < end && Bench.isZero(buf, at, Math.min(end, at + block))) {
            at += block;
          }
          int runEnd = at;
          while (runEnd < end && !Bench.isZero(buf, runEnd, Math.min(end, runEnd + block))) {
            runEnd += block;
          }
          if (runEnd > at) {
            disk.write(buf.duplicate().limit(Math.min(end, runEnd)).position(at), off + at);
          }
          at = runEnd;
        }
      }
      disk.flush();
    }
  }

  private static void qemuImgConvert(Path source, Path dir) throws Exception {
    Path out = dir.resolve("out.qcow2");
    Files.deleteIfExists(out);
    // writeback, not convert's default unsafe: qemu-img flushes at the end, as ours does.
    Bench.exec("qemu-img", "convert", "-t", "writeback", "-O", "qcow2", source.toString(),
        out.toString());
  }

  /**
   * {@code qemu-img bench -w} on a new image against the same pattern through the core, both with
   * the host page cache (qemu's writeback mode) and a flush at the end. Image creation is outside
   * the timing on both sides.
   */
  private static void qemuBench(Path dir, String what, int step) throws Exception {
    long size = (long) RANDOM_WRITES * step;
    Path img = dir.resolve("bench.qcow2");
    long qemu = Long.MAX_VALUE;
    long ours = Long.MAX_VALUE;
    ByteBuffer buf = filled(4096);
    for (int i = 0; i < Bench.ROUNDS; i++) {
      Files.deleteIfExists(img);
      Bench.exec("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), Long.toString(size));
      long t0 = System.nanoTime();
      Bench.exec("qemu-img", "bench", "-w", "-f", "qcow2", "-t", "writeback", "-c",
          Integer.toString(RANDOM_WRITES), "-s", "4096", "-S", Integer.toString(step),
          img.toString());
      qemu = Math.min(qemu, System.nanoTime() - t0);
      Files.deleteIfExists(img);
      Bench.exec("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), Long.toString(size));
      t0 = System.nanoTime();
      try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
        VirtualDisk disk = image.disk();
        for (int k = 0; k < RANDOM_WRITES; k++) {
          buf.clear();
          disk.write(buf, (long) k * step);
        }
        disk.flush();
      }
      ours = Math.min(ours, System.nanoTime() - t0);
    }
    System.out.printf(Locale.ROOT, "%-52s qcow2-nio/qemu-img bench = %.2f%n", what,
        (double) ours / qemu);
  }
}
