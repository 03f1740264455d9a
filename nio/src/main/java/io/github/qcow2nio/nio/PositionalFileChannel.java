package io.github.qcow2nio.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A {@link FileChannel} made of positional reads and writes: a subclass supplies {@link
 * #implRead}, {@link #implWrite}, {@link #implSize}, {@link #implTruncate} and {@link #implForce}
 * on its source (a virtual disk, a partition's window, a FAT file, an ext4 file), and this class
 * gives it the rest of the contract as {@code FileChannel} documents it: the checks and their
 * order (a bad argument, then a closed channel, then the wrong mode), the channel position under
 * a lock of its own (positional calls never take it, so they run in parallel), APPEND, SYNC,
 * scattering and gathering, and the transfers.
 *
 * <p>The channel belongs to a {@link NestedFileSystem}, which closes it when it closes itself;
 * closing the channel lets the file system forget it. Whether an interrupt closes the channel is
 * the subclass's choice: the JDK's channels close,
 * but a channel whose source is shared with other channels (a disk file under every partition)
 * leaves interrupts to the source.
 */
public abstract class PositionalFileChannel extends FileChannel {

  private final NestedFileSystem<?> owner;
  private final boolean readable;
  private final boolean writable;
  private final boolean append;
  private final boolean sync;
  private final boolean interruptible;
  private final Object positionLock = new Object();
  private long position;

  /**
   * @param owner the file system that hands the channel out
   * @param flags the open options: READ, WRITE, APPEND (every write at the end) and SYNC (each
   *     write forced before it returns) are this class's
   * @param interruptible whether an interrupt of a thread in I/O closes this channel
   */
  protected PositionalFileChannel(NestedFileSystem<?> owner, OpenFlags flags,
      boolean interruptible) {
    this.owner = owner;
    this.readable = flags.read();
    this.writable = flags.write();
    this.append = flags.append();
    this.sync = flags.sync();
    this.interruptible = interruptible;
  }

  // ---- what a subclass supplies; the channel is open and in the right mode, pos >= 0

  /** Reads into {@code dst} at {@code pos}: the bytes read, -1 at the end. */
  protected abstract int implRead(ByteBuffer dst, long pos) throws IOException;

  /** Writes {@code src} at {@code pos}: the bytes written. A read-only channel never gets here. */
  protected int implWrite(ByteBuffer src, long pos) throws IOException {
    throw new NonWritableChannelException();
  }

  protected abstract long implSize() throws IOException;

  /** Cuts the source to {@code size} when it is longer. A read-only channel never gets here. */
  protected void implTruncate(long size) throws IOException {
    throw new NonWritableChannelException();
  }

  protected abstract void implForce(boolean metaData) throws IOException;

  /**
   * What closing releases of the source, once the file system has forgotten the channel; nothing
   * by default.
   */
  protected void implCloseSource() throws IOException {}

  /**
   * The most bytes {@link #transferFrom} writes at {@code pos} (which is at most the size): no
   * bound where writes grow the source; a source that cannot grow bounds it by its end.
   */
  protected long transferFromLimit(long pos) throws IOException {
    return Long.MAX_VALUE;
  }

  /**
   * A run of bytes as {@link #runAt} reports it: its length, and whether the source knows it reads
   * as zeros without reading it.
   */
  public record Run(long length, boolean zeros) {}

  /**
   * The run at {@code pos}, at most {@code max} bytes long and at least one: zeros the source
   * knows of without reading them, or bytes to read up to the next such run; one run of
   * {@code max} bytes to read where the source cannot tell. {@link #transferTo} reads data runs
   * no further at once, never reads a run of zeros, and does not write one where the target is
   * a file being extended, which keeps a hole there.
   */
  protected Run runAt(long pos, long max) throws IOException {
    return new Run(max, false);
  }

  /**
   * Writes what {@link #transferFrom} read at {@code pos}: all of {@code src}, as a positional
   * write. A source that stores zeros sparsely may split the buffer at its runs of zeros.
   */
  protected void writeTransferred(ByteBuffer src, long pos) throws IOException {
    long at = pos;
    while (src.hasRemaining()) {
      at += write(src, at);
    }
  }

  // ---- reads and writes at the channel position

  @Override
  public final int read(ByteBuffer dst) throws IOException {
    checkReadable();
    synchronized (positionLock) {
      int n = read(dst, position);
      if (n > 0) {
        position += n;
      }
      return n;
    }
  }

  @Override
  public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, dsts.length);
    checkReadable();
    synchronized (positionLock) {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        if (!dsts[i].hasRemaining()) {
          continue;
        }
        int n = read(dsts[i], position);
        if (n < 0) {
          return total == 0 ? -1 : total;
        }
        position += n;
        total += n;
        if (dsts[i].hasRemaining()) {
          break;
        }
      }
      return total;
    }
  }

  @Override
  public final int write(ByteBuffer src) throws IOException {
    checkWritable();
    synchronized (positionLock) {
      if (append) {
        position = implSize();
      }
      int n = write(src, position);
      position += n;
      return n;
    }
  }

  @Override
  public final long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, srcs.length);
    checkWritable();
    synchronized (positionLock) {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        total += write(srcs[i]);
      }
      return total;
    }
  }

  // ---- positional reads and writes: no shared state of the channel

  @Override
  public final int read(ByteBuffer dst, long pos) throws IOException {
    checkNotNegative(pos, "position");
    checkReadable();
    boolean done = false;
    try {
      enter();
      int n = implRead(dst, pos);
      done = true;
      return n;
    } finally {
      leave(done);
    }
  }

  @Override
  public final int write(ByteBuffer src, long pos) throws IOException {
    checkNotNegative(pos, "position");
    checkWritable();
    boolean done = false;
    try {
      enter();
      int n = implWrite(src, pos);
      if (sync && n > 0) {
        implForce(true); // SYNC/DSYNC: durable, metadata included, before the call returns
      }
      done = true;
      return n;
    } finally {
      leave(done);
    }
  }

  // ---- position, size, truncate, force

  @Override
  public final long position() throws IOException {
    checkOpen();
    synchronized (positionLock) {
      return position;
    }
  }

  @Override
  public final FileChannel position(long newPosition) throws IOException {
    checkNotNegative(newPosition, "position");
    checkOpen();
    synchronized (positionLock) {
      position = newPosition;
    }
    return this;
  }

  @Override
  public final long size() throws IOException {
    checkOpen();
    return implSize();
  }

  /** Cuts the source when it is longer; either way the position ends at most at {@code size}. */
  @Override
  public final FileChannel truncate(long size) throws IOException {
    checkNotNegative(size, "size");
    checkWritable();
    boolean done = false;
    try {
      enter();
      implTruncate(size);
      done = true;
    } finally {
      leave(done);
    }
    synchronized (positionLock) {
      if (position > size) {
        position = size;
      }
    }
    return this;
  }

  @Override
  public final void force(boolean metaData) throws IOException {
    checkOpen();
    boolean done = false;
    try {
      enter();
      implForce(metaData);
      done = true;
    } finally {
      leave(done);
    }
  }

  // ---- transfers, in chunks through the positional calls

  @Override
  public final long transferTo(long pos, long count, WritableByteChannel target)
      throws IOException {
    checkTransfer(pos, count);
    checkReadable();
    return Transfers.to(this, pos, count, target);
  }

  @Override
  public final long transferFrom(ReadableByteChannel src, long pos, long count)
      throws IOException {
    checkTransfer(pos, count);
    checkWritable();
    return Transfers.from(this, src, pos, count);
  }

  @Override
  protected final void implCloseChannel() throws IOException {
    owner.unregister(this);
    implCloseSource();
  }

  // ---- locks

  /**
   * The checks {@code FileChannel.lock} makes before it locks: an open channel, readable for a
   * shared lock, writable for an exclusive one.
   */
  protected final void checkLockable(boolean shared) throws ClosedChannelException {
    checkOpen();
    if (shared && !readable) {
      throw new NonReadableChannelException();
    }
    if (!shared && !writable) {
      throw new NonWritableChannelException();
    }
  }

  /**
   * A lock that only this JVM knows of, valid until it is released or the channel closes: for a
   * source that belongs to one file system of this JVM, where no other process can look.
   */
  protected final FileLock jvmLock(long pos, long size, boolean shared) {
    return new FileLock(this, pos, size, shared) {
      private volatile boolean valid = true;

      @Override
      public boolean isValid() {
        return valid && channel().isOpen();
      }

      @Override
      public void release() {
        valid = false;
      }
    };
  }

  // ---- checks

  protected final void checkOpen() throws ClosedChannelException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }

  private void checkReadable() throws ClosedChannelException {
    checkOpen();
    if (!readable) {
      throw new NonReadableChannelException();
    }
  }

  private void checkWritable() throws ClosedChannelException {
    checkOpen();
    if (!writable) {
      throw new NonWritableChannelException();
    }
  }

  private static void checkNotNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException("negative " + what + " " + value);
    }
  }

  private static void checkTransfer(long pos, long count) {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
  }

  /** Inside a try whose finally calls {@link #leave}, as {@code begin} and {@code end} go. */
  private void enter() throws ClosedChannelException {
    if (interruptible) {
      begin();
      checkOpen(); // a close may have come between the first check and begin()
    }
  }

  private void leave(boolean done) throws AsynchronousCloseException {
    if (interruptible) {
      end(done);
    }
  }
}
