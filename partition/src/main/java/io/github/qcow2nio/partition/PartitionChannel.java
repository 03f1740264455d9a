package io.github.qcow2nio.partition;

import io.github.qcow2nio.partition.table.DiskAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.util.Objects;

/**
 * A {@link FileChannel} on one partition: a window of the disk that never grows. Reads stop at
 * the partition's end; a write that would cross it fails whole, before a byte is written.
 * Positional calls touch no shared state (the disk access is thread-safe); the channel position
 * has a lock of its own.
 */
final class PartitionChannel extends FileChannel {
  private static final int TRANSFER_CHUNK = 64 * 1024;

  private final PartitionFileSystem fs;
  private final DiskAccess disk;
  private final Partition partition;
  private final long start;
  private final long size;
  private final boolean readable;
  private final boolean writable;
  private final boolean sync;
  private final Object positionLock = new Object();
  private long position;

  PartitionChannel(PartitionFileSystem fs, DiskAccess disk, Partition partition, boolean readable,
      boolean writable, boolean sync) {
    this.fs = fs;
    this.disk = disk;
    this.partition = partition;
    this.start = partition.start();
    this.size = partition.size();
    this.readable = readable;
    this.writable = writable;
    this.sync = sync;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
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
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
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

  /** Fills {@code dst} up to the partition's end; -1 at or past it. */
  @Override
  public int read(ByteBuffer dst, long pos) throws IOException {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    checkReadable();
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (pos >= size) {
      return -1;
    }
    int want = (int) Math.min(dst.remaining(), size - pos);
    ByteBuffer window = dst.slice().limit(want);
    while (window.hasRemaining()) {
      if (disk.read(window, start + pos + window.position()) < 0) {
        break; // the disk file is shorter than its table says
      }
    }
    int n = window.position();
    dst.position(dst.position() + n);
    return n == 0 ? -1 : n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    checkWritable();
    synchronized (positionLock) {
      int n = write(src, position);
      position += n;
      return n;
    }
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
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

  /** Writes all of {@code src}, or nothing when it would cross the partition's end. */
  @Override
  public int write(ByteBuffer src, long pos) throws IOException {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    checkWritable();
    int n = src.remaining();
    if (n == 0) {
      return 0;
    }
    if (pos > size - n) {
      throw new FileSystemException(fs.getPath("/" + partition.number()).toString(), null,
          "a write of " + n + " bytes at " + pos + " would cross the partition's end at " + size
              + "; a partition cannot grow");
    }
    disk.write(src, start + pos);
    if (sync) {
      disk.force(true);
    }
    return n;
  }

  @Override
  public long position() throws IOException {
    checkOpen();
    synchronized (positionLock) {
      return position;
    }
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    checkOpen();
    synchronized (positionLock) {
      position = newPosition;
    }
    return this;
  }

  @Override
  public long size() throws IOException {
    checkOpen();
    return size;
  }

  /** Only a size at or above the partition's is accepted, and changes nothing. */
  @Override
  public FileChannel truncate(long newSize) throws IOException {
    if (newSize < 0) {
      throw new IllegalArgumentException("negative size " + newSize);
    }
    checkWritable();
    if (newSize < size) {
      throw new FileSystemException(fs.getPath("/" + partition.number()).toString(), null,
          "a partition's size is fixed by its table; it cannot be truncated to " + newSize);
    }
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    checkOpen();
    if (!fs.isReadOnly()) {
      disk.force(metaData);
    }
  }

  @Override
  public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
    checkReadable();
    if (pos >= size) {
      return 0;
    }
    long todo = Math.min(count, size - pos);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(todo, 1)));
    long done = 0;
    while (done < todo) {
      buf.clear().limit((int) Math.min(buf.capacity(), todo - done));
      int n = read(buf, pos + done);
      if (n <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        if (target.write(buf) == 0 && buf.hasRemaining()) {
          return done + (n - buf.remaining()); // a non-blocking target that is full
        }
      }
      done += n;
    }
    return done;
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
    checkWritable();
    if (pos >= size) {
      return 0;
    }
    long todo = Math.min(count, size - pos);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(todo, 1)));
    long done = 0;
    while (done < todo) {
      buf.clear().limit((int) Math.min(buf.capacity(), todo - done));
      int n = src.read(buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      write(buf, pos + done);
      done += n;
    }
    return done;
  }

  /** Not supported: the disk may not be a mappable file. */
  @Override
  public MappedByteBuffer map(MapMode mode, long pos, long length) {
    throw new UnsupportedOperationException("a partition cannot be memory-mapped");
  }

  @Override
  public FileLock lock(long pos, long length, boolean shared) {
    throw new UnsupportedOperationException("byte-range locks are not supported on a partition");
  }

  @Override
  public FileLock tryLock(long pos, long length, boolean shared) {
    return lock(pos, length, shared);
  }

  @Override
  protected void implCloseChannel() {
    fs.unregister(this);
  }

  private void checkOpen() throws ClosedChannelException {
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
}
