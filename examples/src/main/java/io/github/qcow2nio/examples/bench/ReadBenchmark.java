package io.github.qcow2nio.examples.bench;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Read throughput of the format core against a raw {@link FileChannel} on the same bytes and
 * against qemu-img, in one run, reported as ratios (the machine is shared, absolute times are
 * noise).
 *
 * <p>Usage: {@code java -cp qcow2.jar io.github.qcow2nio.examples.bench.ReadBenchmark [MiB]}.
 * It needs qemu-img to build the images; it makes them in a temporary directory and deletes them.
 */
public final class ReadBenchmark {

  private ReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    Path dir = Files.createTempDirectory("qcow2-bench");
    try {
      Path raw = dir.resolve("disk.raw");
      Bench.writeRandomish(raw, (long) mib << 20, 0.5);
      Path fullRaw = dir.resolve("full.raw");
      Bench.writeRandomish(fullRaw, (long) mib << 20, 1.0);
      Path full = dir.resolve("full.qcow2");
      Bench.exec("qemu-img", "convert", "-O", "qcow2", fullRaw.toString(), full.toString());
      Path plain = dir.resolve("plain.qcow2");
      Path zlib = dir.resolve("zlib.qcow2");
      Path zstd = dir.resolve("zstd.qcow2");
      Bench.exec("qemu-img", "convert", "-O", "qcow2", raw.toString(), plain.toString());
      Bench.exec("qemu-img", "convert", "-c", "-O", "qcow2", raw.toString(), zlib.toString());
      Bench.exec("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd",
          raw.toString(), zstd.toString());
      System.out.printf(Locale.ROOT,
          "disk: %d MiB (half data, half zero clusters; full: all data); best of %d rounds%n",
          mib, Bench.ROUNDS);

      Bench.report("sequential 1 MiB reads, uncompressed",
          Bench.best(() -> seqRaw(raw, 1 << 20)), Bench.best(() -> seqQcow2(plain, 1 << 20)));
      Bench.report("sequential 1 MiB reads, fully allocated",
          Bench.best(() -> seqRaw(fullRaw, 1 << 20)), Bench.best(() -> seqQcow2(full, 1 << 20)));
      Bench.report("sequential 64 KiB reads, fully allocated",
          Bench.best(() -> seqRaw(fullRaw, 1 << 16)), Bench.best(() -> seqQcow2(full, 1 << 16)));
      Bench.report("random 4 KiB reads (20000), fully allocated",
          Bench.best(() -> randRaw(fullRaw, 4096, 20000)),
          Bench.best(() -> randQcow2(full, 4096, 20000)));
      Bench.report("sequential 64 KiB reads, uncompressed",
          Bench.best(() -> seqRaw(raw, 1 << 16)), Bench.best(() -> seqQcow2(plain, 1 << 16)));
      Bench.report("random 4 KiB reads (20000), uncompressed",
          Bench.best(() -> randRaw(raw, 4096, 20000)),
          Bench.best(() -> randQcow2(plain, 4096, 20000)));
      Bench.report("sequential 1 MiB reads, deflate-compressed",
          Bench.best(() -> seqRaw(raw, 1 << 20)), Bench.best(() -> seqQcow2(zlib, 1 << 20)));
      Bench.report("sequential 1 MiB reads, zstd-compressed",
          Bench.best(() -> seqRaw(raw, 1 << 20)), Bench.best(() -> seqQcow2(zstd, 1 << 20)));
      for (Path image : List.of(full, plain, zlib, zstd)) {
        long qemu = Bench.best(() -> qemuImgConvert(image, dir));
        long ours = Bench.best(() -> convertOurs(image, dir));
        System.out.printf(Locale.ROOT,
            "convert %-11s to a sparse raw file: qcow2-nio/qemu-img convert = %.2f%n",
            image.getFileName(), (double) ours / qemu);
      }
    } finally {
      Bench.deleteScratch(dir);
    }
  }

  private static void seqRaw(Path raw, int block) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(block);
    try (FileChannel ch = FileChannel.open(raw)) {
      long size = ch.size();
      for (long off = 0; off < size; off += block) {
        buf.clear();
        while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
          // loop until full
        }
      }
    }
  }

  private static void seqQcow2(Path image, int block) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(block);
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk disk = img.disk();
      for (long off = 0; off < disk.size(); off += block) {
        buf.clear();
        disk.read(buf, off);
      }
    }
  }

  private static void randRaw(Path raw, int block, int count) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(block);
    SplittableRandom rnd = new SplittableRandom(7);
    try (FileChannel ch = FileChannel.open(raw)) {
      long blocks = ch.size() / block;
      for (int i = 0; i < count; i++) {
        buf.clear();
        ch.read(buf, rnd.nextLong(blocks) * block);
      }
    }
  }

  private static void randQcow2(Path image, int block, int count) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(block);
    SplittableRandom rnd = new SplittableRandom(7);
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk disk = img.disk();
      long blocks = disk.size() / block;
      for (int i = 0; i < count; i++) {
        buf.clear();
        disk.read(buf, rnd.nextLong(blocks) * block);
      }
    }
  }

  /**
   * What qemu-img convert -O raw does, through the core: read 1 MiB at a time, write only blocks
   * holding data (qemu-img leaves zero runs sparse too), in a fresh JVM-less step so both sides
   * pay for writing the output file.
   */
  private static void convertOurs(Path image, Path dir) throws IOException {
    Path out = dir.resolve("out.raw");
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try (Qcow2Image img = Qcow2Image.open(image);
        FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      VirtualDisk disk = img.disk();
      for (long off = 0; off < disk.size(); off += buf.capacity()) {
        buf.clear();
        int n = disk.read(buf, off);
        buf.flip();
        if (!Bench.isZero(buf, 0, n)) {
          while (buf.hasRemaining()) {
            ch.write(buf, off + buf.position());
          }
        }
      }
      ch.truncate(disk.size());
      if (ch.size() < disk.size()) {
        ch.write(ByteBuffer.allocate(1), disk.size() - 1);
      }
    }
    Files.delete(out);
  }

  private static void qemuImgConvert(Path image, Path dir) throws Exception {
    Path out = dir.resolve("out.raw");
    Bench.exec("qemu-img", "convert", "-O", "raw", image.toString(), out.toString());
    Files.delete(out);
  }
}
