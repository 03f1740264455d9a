package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.read.FileData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only channel on one file's bytes. A {@code FileChannel}, so that what lies in a file
 * (a disk image, a partition table) can be opened in turn by providers that want positional
 * reads; positional reads are safe from many threads.
 */
final class Ext4FileChannel extends FileChannel {
  private final Ext4FileSystem fs;
  private final FileData data;
  private long position;

  Ext4FileChannel(Ext4FileSystem fs, FileData data) {
    this.fs = fs;
    this.data = data;
  }

  private void checkOpen() throws ClosedChannelException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    checkOpen();
    int n = data.read(dst, position);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    checkOpen();
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      if (!dsts[i].hasRemaining()) {
        continue;
      }
      int n = read(dsts[i]);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
      if (dsts[i].hasRemaining()) {
        break;
      }
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    if (position < 0) {
      throw new IllegalArgumentException("negative position " + position);
    }
    checkOpen();
    return data.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) {
    throw new NonWritableChannelException();
  }

  @Override
  public int write(ByteBuffer src, long position) {
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized long position() throws IOException {
    checkOpen();
    return position;
  }

  @Override
  public synchronized FileChannel position(long newPosition) throws IOException {
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    checkOpen();
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    checkOpen();
    return data.size();
  }

  @Override
  public FileChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public void force(boolean metaData) throws IOException {
    checkOpen();
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target)
      throws IOException {
    checkOpen();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
    long done = 0;
    while (done < count) {
      buf.clear().limit((int) Math.min(buf.capacity(), count - done));
      int n = data.read(buf, position + done);
      if (n <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        target.write(buf);
      }
      done += n;
    }
    return done;
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new NonWritableChannelException();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw new UnsupportedOperationException("an ext4 file cannot be memory-mapped");
  }

  /** Shared locks are granted (nothing writes); exclusive ones need a writable channel. */
  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return tryLock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    checkOpen();
    if (!shared) {
      throw new NonWritableChannelException();
    }
    return new FileLock(this, position, size, true) {
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

  @Override
  protected void implCloseChannel() {
    fs.unregister(this);
  }
}
