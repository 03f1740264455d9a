package io.github.qcow2nio.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;

/**
 * {@code transferTo} and {@code transferFrom} of a {@link PositionalFileChannel}, in chunks
 * through its positional calls; a source's known runs of zeros are neither read nor, where the
 * target is a file being extended, written (the file keeps a hole).
 *
 * <p>The chunks go through a direct buffer that starts on a page: a heap buffer would be copied
 * again on its way into and out of each file by the JDK, and on some processors the kernel
 * copies into memory just past a page boundary, where {@code allocateDirect} puts its buffers, at
 * a third of its speed (the bench's AlignmentProbe). Each thread keeps one, as the JDK keeps
 * its temporary buffers, and more, up to a few, while a transfer runs inside another.
 */
final class Transfers {
  /** Runs of clusters at once: sixteen of qcow2's default 64 KiB. */
  private static final int CHUNK = 1 << 20;
  private static final int PAGE = 4096;
  private static final byte[] ZEROS = new byte[CHUNK];
  private static final ThreadLocal<ArrayDeque<ByteBuffer>> SPARES =
      ThreadLocal.withInitial(ArrayDeque::new);
  private static final int MAX_SPARES = 4;

  private Transfers() {}

  private static ByteBuffer take() {
    ByteBuffer buf = SPARES.get().pollFirst();
    return buf != null ? buf
        : ByteBuffer.allocateDirect(CHUNK + PAGE - 1).alignedSlice(PAGE).slice(0, CHUNK);
  }

  private static void give(ByteBuffer buf) {
    ArrayDeque<ByteBuffer> spares = SPARES.get();
    if (spares.size() < MAX_SPARES) {
      spares.addFirst(buf);
    }
  }

  /** The transfer of {@code [pos, pos + count)} to {@code target}, checked by the caller. */
  static long to(PositionalFileChannel ch, long pos, long count, WritableByteChannel target)
      throws IOException {
    long size = ch.implSize();
    if (pos >= size) {
      return 0;
    }
    ByteBuffer buf = take();
    try {
      return to(ch, pos, Math.min(count, size - pos), target, buf);
    } finally {
      give(buf);
    }
  }

  private static long to(PositionalFileChannel ch, long pos, long todo,
      WritableByteChannel target, ByteBuffer buf) throws IOException {
    FileChannel file = target instanceof FileChannel f ? f : null;
    long done = 0;
    boolean holeAtEnd = false;
    while (done < todo) {
      PositionalFileChannel.Run run = ch.runAt(pos + done, todo - done);
      long length = Math.max(1, Math.min(run.length(), todo - done));
      if (run.zeros() && file != null && file.position() >= file.size()) {
        file.position(file.position() + length);
        done += length;
        holeAtEnd = true;
        continue;
      }
      holeAtEnd = false;
      buf.clear().limit((int) Math.min(buf.capacity(), length));
      int n;
      if (run.zeros()) {
        // Zeros for a target that cannot keep a hole: written, but never read.
        n = buf.remaining();
        buf.put(0, ZEROS, 0, n).position(n);
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
    ByteBuffer buf = take();
    try {
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
    } finally {
      give(buf);
    }
  }
}
