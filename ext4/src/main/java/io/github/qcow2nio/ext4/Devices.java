package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Opening the file a file system lives in, and the little the provider asks of it first. */
final class Devices {
  private Devices() {}

  /**
   * A channel on the device that can seek. Some providers' byte channels cannot (zipfs on a
   * compressed entry throws on {@code position(long)}); their {@code FileChannel}, where they
   * have one, can.
   */
  static SeekableByteChannel open(Path path) throws IOException {
    SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ);
    try {
      ch.position(0);
      return ch;
    } catch (UnsupportedOperationException e) {
      ch.close();
      return FileChannel.open(path, StandardOpenOption.READ);
    }
  }

  /** The only key is accessMode, and only readOnly: nothing here writes. */
  static void checkEnv(Map<String, ?> env) {
    if (env == null) {
      return;
    }
    for (Map.Entry<String, ?> e : env.entrySet()) {
      if (!e.getKey().equals("accessMode")) {
        throw new IllegalArgumentException("unknown env key '" + e.getKey()
            + "'; the ext4 provider knows accessMode (readOnly)");
      }
      if (!"readOnly".equals(String.valueOf(e.getValue()))) {
        throw new IllegalArgumentException("accessMode=" + e.getValue()
            + ": ext4 file systems are read-only here; the only value is readOnly");
      }
    }
  }

  static ByteBuffer superblockBytes(SeekableByteChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Superblock.SIZE);
    if (ch.size() < Superblock.OFFSET + Superblock.SIZE) {
      return b.limit(0);
    }
    ch.position(Superblock.OFFSET);
    while (b.hasRemaining() && ch.read(b) >= 0) {
      // a channel may return short reads
    }
    return b.flip();
  }
}
