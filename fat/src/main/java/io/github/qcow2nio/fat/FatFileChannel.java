package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.FileHandle;
import io.github.qcow2nio.fat.volume.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A channel on one FAT file, as a {@link FileChannel} so that readers needing positional I/O
 * (a qcow2 image, a partition table) can sit on a FAT file. Channels on the same file share its
 * handle, so each sees the others' writes and size; the volume's lock orders them. Locks are
 * held in this JVM only: the volume itself belongs to one file system of this JVM.
 */
final class FatFileChannel extends FileChannel {
  private final FatFileSystem fs;
  private final FileHandle handle;
  private final FileIo io;
  private final OpenFlags flags;
  private final FatPath path;
  private final List<FileLock> locks = new ArrayList<>();
  private long position;

  FatFileChannel(FatFileSystem fs, FileHandle handle, OpenFlags flags, FatPath path) {
    this.fs = fs;
    this.handle = handle;
    this.io = fs.volume().io();
    this.flags = flags;
    this.path = path;
  }

  private void checkOpen() throws ClosedChannelException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }

  private void checkReadable() throws ClosedChannelException {
    checkOpen();
    if (!flags.read()) {
      throw new NonReadableChannelException();
    }
  }

  private void checkWritable() throws ClosedChannelException {
    checkOpen();
    if (!flags.write()) {
      throw new NonWritableChannelException();
    }
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    checkReadable();
    int n = io.read(handle, position, dst);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
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
  public synchronized int write(ByteBuffer src) throws IOException {
    checkWritable();
    if (flags.append()) {
      position = io.size(handle);
    }
    int n = write(src, position);
    position += n;
    return n;
  }

  @Override
  public synchronized long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst, long pos) throws IOException {
    checkReadable();
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    return io.read(handle, pos, dst);
  }

  @Override
  public int write(ByteBuffer src, long pos) throws IOException {
    checkWritable();
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    int n = io.write(handle, pos, src, Instant.now());
    if (flags.sync()) {
      fs.volume().flush();
    }
    return n;
  }

  @Override
  public synchronized long position() throws IOException {
    checkOpen();
    return position;
  }

  @Override
  public synchronized FileChannel position(long newPosition) throws IOException {
    checkOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    checkOpen();
    return io.size(handle);
  }

  @Override
  public synchronized FileChannel truncate(long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    checkWritable();
    io.truncate(handle, size, Instant.now());
    position = Math.min(position, size);
    return this;
  }

  /** Writes the FAT copies and FSInfo and forces the volume's file. */
  @Override
  public void force(boolean metaData) throws IOException {
    checkOpen();
    fs.volume().flush();
  }

  @Override
  public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
    checkReadable();
    long done = 0;
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(Math.max(count, 0), 1 << 16));
    while (done < count) {
      b.clear().limit((int) Math.min(b.capacity(), count - done));
      int n = read(b, pos + done);
      if (n <= 0) {
        break;
      }
      b.flip();
      while (b.hasRemaining()) {
        target.write(b);
      }
      done += n;
    }
    return done;
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
    checkWritable();
    long done = 0;
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(Math.max(count, 0), 1 << 16));
    while (done < count) {
      b.clear().limit((int) Math.min(b.capacity(), count - done));
      int n = src.read(b);
      if (n <= 0) {
        break;
      }
      b.flip();
      while (b.hasRemaining()) {
        done += write(b, pos + done);
      }
    }
    return done;
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long pos, long size) {
    throw new UnsupportedOperationException("a FAT file cannot be memory-mapped");
  }

  @Override
  public FileLock lock(long pos, long size, boolean shared) throws IOException {
    FileLock l = tryLock(pos, size, shared);
    if (l == null) {
      throw new OverlappingFileLockException();
    }
    return l;
  }

  @Override
  public FileLock tryLock(long pos, long size, boolean shared) throws IOException {
    checkOpen();
    if (shared && !flags.read()) {
      throw new NonReadableChannelException();
    }
    if (!shared && !flags.write()) {
      throw new NonWritableChannelException();
    }
    synchronized (locks) {
      locks.removeIf(l -> !l.isValid());
      for (FileLock l : locks) {
        if (l.overlaps(pos, size)) {
          throw new OverlappingFileLockException();
        }
      }
      FileLock l = new FileLock(this, pos, size, shared) {
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
      locks.add(l);
      return l;
    }
  }

  @Override
  protected void implCloseChannel() throws IOException {
    fs.unregister(this);
    if (!fs.isOpen()) {
      return;
    }
    fs.volume().close(handle);
    if (flags.deleteOnClose()) {
      fs.provider().delete(path);
    }
  }
}
