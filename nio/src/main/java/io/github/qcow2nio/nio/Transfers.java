package io.github.qcow2nio.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * {@code transferTo} and {@code transferFrom} of a {@link PositionalFileChannel}, in chunks
 * through its positional calls; a source's known runs of zeros are neither read nor, where the
 * target is a file being extended, written (the file keeps a hole).
 */
final class Transfers {
  private static final int CHUNK = 64 * 1024;

  private Transfers() {}

  /** The transfer of {@code [pos, pos + count)} to {@code target}, checked by the caller. */
  static long to(PositionalFileChannel ch, long pos, long count, WritableByteChannel target)
      throws IOException {
    long size = ch.implSize();
    if (pos >= size) {
      return 0;
    }
    long todo = Math.min(count, size - pos);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, todo));
    FileChannel file = target instanceof FileChannel f ? f : null;
    long done = 0;
    boolean holeAtEnd = false;
    while (done < todo) {
      long zeros = ch.zeroRunAt(pos + done, todo - done);
      if (zeros > 0 && file != null && file.position() >= file.size()) {
        file.position(file.position() + zeros);
        done += zeros;
        holeAtEnd = true;
        continue;
      }
      holeAtEnd = false;
      buf.clear().limit((int) Math.min(buf.capacity(), zeros > 0 ? zeros : todo - done));
      int n;
      if (zeros > 0) {
        // Zeros for a target that cannot keep a hole: written, but never read.
        n = buf.remaining();
        Arrays.fill(buf.array(), 0, n, (byte) 0);
        buf.position(n);
      } else {
        n = ch.read(buf, pos + done);
        if (n <= 0) {
          break;
        }
      }
      buf.flip();
      while (buf.hasRemaining()) {
        if (target.write(buf) == 0 && buf.hasRemaining()) {
          return done + (n - buf.remaining()); // a non-blocking target that takes no more
        }
      }
      done += n;
    }
    if (holeAtEnd && file.size() < file.position()) {
      // The copy ended in a hole: its last byte, written, gives the file its length.
      file.position(file.position() - 1);
      file.write(ByteBuffer.allocate(1));
    }
    return done;
  }

  /** The transfer from {@code src} to {@code pos}, checked by the caller. */
  static long from(PositionalFileChannel ch, ReadableByteChannel src, long pos, long count)
      throws IOException {
    if (pos > ch.implSize()) {
      return 0;
    }
    long todo = Math.min(count, ch.transferFromLimit(pos));
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(todo, 1)));
    long done = 0;
    while (done < todo) {
      buf.clear().limit((int) Math.min(buf.capacity(), todo - done));
      int n = src.read(buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      ch.writeTransferred(buf, pos + done);
      done += n;
    }
    return done;
  }
}
