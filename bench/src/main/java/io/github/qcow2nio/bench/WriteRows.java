package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sequential 1 MiB allocating writes filling a new image, ending with a flush, against a raw
 * FileChannel writing a new file and forcing it. Both sides create their file inside the timing.
 */
final class WriteRows {
  private static final int MIB = 1 << 20;

  private WriteRows() {}

  static List<Row> measure(Settings s) throws Exception {
    long size = s.bigBytes();
    Path qcow2 = s.dir().resolve("write.qcow2");
    Path raw = s.dir().resolve("write.raw");
    ByteBuffer data = randomBlock();
    long[] t = Timing.alternate(s.rounds(),
        new Timing.Side(() -> Files.deleteIfExists(qcow2), () -> writeOurs(qcow2, size, data)),
        new Timing.Side(() -> Files.deleteIfExists(raw), () -> writeRaw(raw, size, data)));
    Files.deleteIfExists(qcow2);
    Files.deleteIfExists(raw);
    return List.of(Row.speed("sequential 1 MiB allocating writes, new image, ending with a force",
        "raw FileChannel writes + force", t[0], t[1], size, 0.9));
  }

  private static ByteBuffer randomBlock() {
    ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
    SplittableRandom rnd = new SplittableRandom(3);
    while (buf.hasRemaining()) {
      buf.putLong(rnd.nextLong());
    }
    return buf.flip();
  }

  private static void writeOurs(Path image, long size, ByteBuffer data) throws IOException {
    try (Qcow2Image img = Qcow2Image.create(new PathLocation(image),
        CreateOptions.defaults(size), OpenOptions.readWrite())) {
      VirtualDisk disk = img.disk();
      for (long off = 0; off < size; off += MIB) {
        disk.write(data.duplicate(), off);
      }
      disk.flush();
    }
  }

  private static void writeRaw(Path file, long size, ByteBuffer data) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long off = 0; off < size; off += MIB) {
        ByteBuffer buf = data.duplicate();
        while (buf.hasRemaining()) {
          ch.write(buf, off + buf.position());
        }
      }
      ch.force(true);
    }
  }
}
