package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Growing a raw image file, as qemu-img's raw driver grows one: sparse, or written with zeros. */
final class RawFiles {
  private static final int CHUNK = 1 << 20;

  private RawFiles() {}

  /**
   * Makes the file {@code to} bytes long from {@code from}: with {@code zeros} every new byte is
   * written (qemu-img's {@code preallocation=full}); otherwise the file is only extended, which
   * leaves a hole on file systems that have them.
   */
  static void grow(FileChannel ch, long from, long to, boolean zeros) throws IOException {
    if (to <= from) {
      return;
    }
    if (!zeros) {
      // Writing the last byte extends the file; the JDK has no ftruncate that grows.
      ch.write(ByteBuffer.allocate(1), to - 1);
      return;
    }
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, to - from));
    for (long at = from; at < to; ) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), to - at));
      while (chunk.hasRemaining()) {
        at += ch.write(chunk, at);
      }
    }
  }
}
