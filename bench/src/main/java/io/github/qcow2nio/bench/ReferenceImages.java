package io.github.qcow2nio.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The images every row reads, built once per run: the raw bytes by this class (seeded, so every
 * run reads the same bytes), every qcow2 image by qemu-img or qemu-io, so that no row measures us
 * on an image we wrote ourselves.
 *
 * @param random the "1 GiB" of random bytes, raw
 * @param allocated the same bytes as a fully allocated qcow2 image
 * @param text half as much compressible text, raw
 * @param deflate the text compressed with deflate (compression_type=zlib)
 * @param zstd the text compressed with zstd
 * @param sparse an 8 TiB image holding {@link #SPARSE_RUNS} runs of 64 KiB, each in its own L2
 *     table
 * @param small a 16 MiB image with a little data, for info
 */
record ReferenceImages(Path random, Path allocated, Path text, Path deflate, Path zstd,
    Path sparse, Path small) {

  /**
   * 1024 data runs, one every 8 GiB of the 8 TiB image: each needs its own 64 KiB L2 table, so
   * reading all of them would take 64 MiB of L2 tables if the cache kept them all.
   */
  static final int SPARSE_RUNS = 1024;
  static final int SPARSE_RUN_BYTES = 65536;

  private static final int CHUNK = 1 << 20;
  private static final String[] WORDS = ("the of and to in is that for it as was with be by on"
      + " not he this are or his from at which but have an they you were her she there been one"
      + " all we their has would when if so no will can more other qcow2 cluster image refcount"
      + " table header snapshot backing").split(" ");

  static ReferenceImages build(Settings s) throws IOException, InterruptedException {
    return build(s, false);
  }

  /** @param reuse keep the images of an earlier run at the same scale, if all are there */
  static ReferenceImages build(Settings s, boolean reuse)
      throws IOException, InterruptedException {
    Path dir = s.dir();
    ReferenceImages images = new ReferenceImages(dir.resolve("random.raw"),
        dir.resolve("allocated.qcow2"), dir.resolve("text.raw"), dir.resolve("deflate.qcow2"),
        dir.resolve("zstd.qcow2"), dir.resolve("sparse.qcow2"), dir.resolve("small.qcow2"));
    // Written last: its presence says every image above is complete, at this scale.
    Path done = dir.resolve("images-" + s.scaleMiB() + "MiB.done");
    if (reuse && Files.exists(done)) {
      return images;
    }
    Files.deleteIfExists(done);
    writeRandom(images.random, s.bigBytes());
    writeText(images.text, s.textBytes());
    qemuImg("convert", "-O", "qcow2", images.random.toString(), images.allocated.toString());
    qemuImg("convert", "-c", "-O", "qcow2", "-o", "compression_type=zlib",
        images.text.toString(), images.deflate.toString());
    qemuImg("convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd",
        images.text.toString(), images.zstd.toString());
    qemuImg("create", "-q", "-f", "qcow2", images.sparse.toString(),
        Long.toString(s.sparseBytes()));
    List<String> writes = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    long stride = s.sparseBytes() / SPARSE_RUNS;
    for (int i = 0; i < SPARSE_RUNS; i++) {
      writes.add("-c");
      writes.add("write -q -P 0x5a " + (i * stride) + " " + SPARSE_RUN_BYTES);
    }
    writes.add(images.sparse.toString());
    Proc.run(writes);
    qemuImg("create", "-q", "-f", "qcow2", images.small.toString(), "16M");
    Proc.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -q -P 0x11 1M 192k",
        images.small.toString()));
    Files.createFile(done);
    return images;
  }

  /** Reads every file once, so the timed rounds start with the page cache warm. */
  void warm() throws IOException {
    for (Path p : List.of(random, allocated, text, deflate, zstd, sparse, small)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
      try (FileChannel ch = FileChannel.open(p)) {
        while (ch.read(buf.clear()) > 0) {
          // read to the end
        }
      }
    }
  }

  private static void qemuImg(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("qemu-img");
    command.addAll(List.of(args));
    Proc.run(command);
  }

  private static void writeRandom(Path path, long size) throws IOException {
    SplittableRandom rnd = new SplittableRandom(1);
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (long off = 0; off < size; off += CHUNK) {
        buf.clear();
        while (buf.hasRemaining()) {
          buf.putLong(rnd.nextLong());
        }
        write(ch, buf.flip());
      }
    }
  }

  /** Lines of words drawn from a small vocabulary: compresses about as well as prose does. */
  static void writeText(Path path, long size) throws IOException {
    SplittableRandom rnd = new SplittableRandom(2);
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (long off = 0; off < size; off += CHUNK) {
        buf.clear();
        int column = 0;
        while (buf.hasRemaining()) {
          byte[] word = WORDS[rnd.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; i < word.length && buf.hasRemaining(); i++) {
            buf.put(word[i]);
          }
          column += word.length + 1;
          if (buf.hasRemaining()) {
            buf.put(column > 72 ? (byte) '\n' : (byte) ' ');
            column = column > 72 ? 0 : column;
          }
        }
        write(ch, buf.flip());
      }
    }
  }

  private static void write(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
