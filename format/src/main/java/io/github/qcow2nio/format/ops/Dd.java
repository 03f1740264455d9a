package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.DdOptions;
import io.github.qcow2nio.format.DdResult;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * {@code qemu-img dd}: a new image holding a stretch of a source disk. Unlike convert it writes
 * every byte, zeros too, as qemu-img dd does: its targets are fully allocated. The copy goes in
 * chunks of at most {@link #CHUNK} whatever the block size, which only measures the stretch.
 */
public final class Dd {
  static final int CHUNK = 1 << 20;

  private Dd() {}

  public static DdResult run(DdOptions o, ProgressListener listener) throws IOException {
    try (SourceChain source = SourceChain.open(o.source())) {
      long end = source.size();
      if (o.count() >= 0) {
        // qemu-img 7.2 measures count from the input's start, not from skip.
        end = Math.min(end, capped(o.count(), o.blockSize()));
      }
      long offset = capped(o.skip(), o.blockSize());
      boolean pastEnd = offset > end;
      long length = pastEnd ? 0 : end - offset;
      Qcow2Image image = null;
      VirtualDisk target;
      try {
        if (o.targetFormat().equals("qcow2")) {
          image = Qcow2Image.create(o.target(), CreateOptions.defaults(length));
          target = image.disk();
        } else {
          // As qemu-img creates raw files: whole 512-byte sectors.
          target = RawTarget.create(o.target(), (length + 511) & ~511L);
        }
      } catch (IOException e) {
        throw creationFailed(o, e);
      }
      Closeable owner = image != null ? image : target;
      try {
        copy(source.disk(), offset, length, target, listener);
        target.flush();
      } finally {
        owner.close();
      }
      return new DdResult(length, length, pastEnd);
    }
  }

  /** Every byte of {@code [offset, offset + length)} written at the target's start. */
  private static void copy(VirtualDisk disk, long offset, long length, VirtualDisk target,
      ProgressListener listener) throws IOException {
    SparseWriter writer = new SparseWriter(target, 0, true);
    // The formats round the size up to whole sectors. qemu-img's output is data up to that end
    // too (QEMU fills the rest of the last new cluster), so the tail is written as zeros.
    long total = Math.max(length, target.size());
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(total, 1)));
    listener.progress(0, total);
    for (long done = 0; done < total; ) {
      Convert.checkCancelled(listener);
      int n = (int) Math.min(buf.capacity(), total - done);
      buf.clear().limit(n);
      if (done + n > length) {
        // Zeros past the stretch, up to the sector-rounded end.
        buf.limit((int) Math.max(0, length - done));
      }
      while (buf.hasRemaining()) {
        if (disk.read(buf, offset + done + buf.position()) <= 0) {
          // Past the end of a raw file that is not whole sectors: zeros, as QEMU reads them.
          while (buf.hasRemaining()) {
            buf.put((byte) 0);
          }
        }
      }
      while (buf.position() < n) {
        buf.limit(n).put((byte) 0);
      }
      buf.flip();
      writer.write(buf, done);
      done += n;
      listener.progress(done, total);
    }
  }

  /** {@code a * b}, or Long.MAX_VALUE where that overflows (a skip past any end). */
  private static long capped(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** qemu-img's words for a target it cannot create. */
  private static IOException creationFailed(DdOptions o, IOException e) {
    String why;
    if (e instanceof NoSuchFileException) {
      why = "Could not create '" + o.target() + "': No such file or directory";
    } else if (e instanceof AccessDeniedException) {
      why = "Could not create '" + o.target() + "': Permission denied";
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      why = "Could not create '" + o.target() + "': " + f.getReason();
    } else {
      why = e.getMessage();
    }
    return new IOException(o.target() + ": error while creating output image: " + why, e);
  }
}
