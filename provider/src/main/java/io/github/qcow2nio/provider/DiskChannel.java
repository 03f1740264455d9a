package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.nio.OpenFlags;
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
import java.util.Objects;

/**
 * A {@link FileChannel} on a virtual disk. Reads and writes move whole buffers (short only at the
 * end of the disk); positional calls touch no shared state, so they run in parallel; the channel
 * position is guarded by its own lock. An interrupt closes this channel alone: the disk and the
 * file system stay open. Copies stay sparse: {@code transferTo} skips what reads as zeros where
 * the target is a file being extended, and writes of zeros (so {@code transferFrom} and streams)
 * store nothing where the disk already reads zeros.
 */
final class DiskChannel extends FileChannel implements BlockStatusChannel {
  private static final int TRANSFER_CHUNK = 64 * 1024;
  private static final int ZERO_BLOCK = 4096;

  private final Qcow2FileSystem fs;
  private final VirtualDisk disk;
  private final boolean readable;
  private final boolean writable;
  private final boolean append;
  private final boolean sync;
  private final Object positionLock = new Object();
  private long position;

  DiskChannel(Qcow2FileSystem fs, VirtualDisk disk, OpenFlags flags) {
    this.fs = fs;
    this.disk = disk;
    this.readable = flags.read();
    this.writable = flags.write();
    this.append = flags.append();
    this.sync = flags.sync();
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

  @Override
  public int read(ByteBuffer dst, long pos) throws IOException {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    checkReadable();
    boolean done = false;
    try {
      begin();
      checkOpen();
      int n = dst.hasRemaining() && pos >= disk.size() ? -1 : disk.read(dst, pos);
      done = true;
      return n;
    } finally {
      end(done);
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    checkWritable();
    synchronized (positionLock) {
      if (append) {
        position = disk.size();
      }
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

  @Override
  public int write(ByteBuffer src, long pos) throws IOException {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    checkWritable();
    int n = src.remaining();
    boolean done = false;
    try {
      begin();
      checkOpen();
      if (n > 0) {
        fs.writeGrowing(disk, src, pos);
        if (sync) {
          disk.flush(); // SYNC/DSYNC: durable, metadata included, before the call returns
        }
      }
      done = true;
      return n;
    } finally {
      end(done);
    }
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
    return disk.size();
  }

  /** Shrinks the disk (a resize); a size at or above the current one changes nothing. */
  @Override
  public FileChannel truncate(long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    checkOpen();
    checkWritable();
    boolean done = false;
    try {
      begin();
      checkOpen();
      fs.shrink(disk, size);
      done = true;
    } finally {
      end(done);
    }
    synchronized (positionLock) {
      if (position > size) {
        position = size;
      }
    }
    return this;
  }

  /** Flushes the disk: data, then metadata, then the image file, as the core orders them. */
  @Override
  public void force(boolean metaData) throws IOException {
    checkOpen();
    boolean done = false;
    try {
      begin();
      checkOpen();
      if (fs.isWritableDisk(disk)) {
        disk.flush();
      }
      done = true;
    } finally {
      end(done);
    }
  }

  @Override
  public DiskExtent blockStatus(long offset, long maxLength) throws IOException {
    checkOpen();
    return fs.extents(disk).at(offset, maxLength);
  }

  /**
   * Copies through the chain's block status: ranges that read as zeros are not read, and where
   * the target is a {@code FileChannel} positioned at or past its end they are skipped by moving
   * its position (the file keeps a hole; its last byte is written so it reaches its length).
   */
  @Override
  public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
    checkReadable();
    long size = disk.size();
    if (pos >= size) {
      return 0;
    }
    long todo = Math.min(count, size - pos);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, todo));
    DiskExtents extents = fs.extents(disk);
    FileChannel file = target instanceof FileChannel f ? f : null;
    long done = 0;
    boolean holeAtEnd = false;
    while (done < todo) {
      DiskExtent e = extents.at(pos + done, todo - done);
      if (e.zero() && file != null && file.position() >= file.size()) {
        file.position(file.position() + e.length());
        done += e.length();
        holeAtEnd = true;
        continue;
      }
      holeAtEnd = false;
      buf.clear().limit((int) Math.min(buf.capacity(), e.length()));
      if (e.zero()) {
        // Zeros to a target that cannot keep a hole: written, but never read.
        while (buf.hasRemaining()) {
          buf.put((byte) 0);
        }
        buf.flip();
      } else {
        int n = read(buf, pos + done);
        if (n <= 0) {
          break;
        }
        buf.flip();
      }
      int n = buf.remaining();
      while (buf.hasRemaining()) {
        int w = target.write(buf);
        if (w == 0 && buf.hasRemaining()) {
          // A non-blocking target that takes nothing more: report what went through.
          return done + (n - buf.remaining());
        }
      }
      done += n;
    }
    if (holeAtEnd && file.size() < file.position()) {
      // The copy ended in a hole: one zero byte gives the file its length.
      file.position(file.position() - 1);
      file.write(ByteBuffer.allocate(1));
    }
    return done;
  }

  /**
   * Copies into the disk in chunks split at 4 KiB blocks of zeros, which are written as zeros
   * (nothing where the disk reads zeros already) rather than stored.
   */
  @Override
  public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
    checkWritable();
    if (pos > disk.size()) {
      return 0;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(count, 1)));
    long done = 0;
    while (done < count) {
      buf.clear().limit((int) Math.min(buf.capacity(), count - done));
      int n = src.read(buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      writeSplit(buf, pos + done);
      done += n;
    }
    return done;
  }

  /** Writes {@code buf} as runs of 4 KiB blocks that are all zeros or not. */
  private void writeSplit(ByteBuffer buf, long pos) throws IOException {
    int start = buf.position();
    int end = buf.limit();
    int runStart = start;
    Boolean runZero = null;
    for (int at = start; at < end; ) {
      int next = Math.min(end, at + ZERO_BLOCK);
      ByteBuffer block = buf.duplicate().limit(next).position(at);
      boolean zero = DiskExtents.isZero(block);
      if (runZero != null && zero != runZero) {
        write(buf.duplicate().limit(at).position(runStart), pos + runStart - start);
        runStart = at;
      }
      runZero = zero;
      at = next;
    }
    write(buf.duplicate().limit(end).position(runStart), pos + runStart - start);
    buf.position(end);
  }

  /** Not supported: a virtual disk has no host memory to map. */
  @Override
  public MappedByteBuffer map(MapMode mode, long pos, long size) {
    throw new UnsupportedOperationException(
        "a qcow2 disk cannot be memory-mapped: its clusters are not contiguous in the image file");
  }

  /** Not supported: qcow2 disks have no byte-range locks (lock the image file instead). */
  @Override
  public FileLock lock(long pos, long size, boolean shared) {
    throw new UnsupportedOperationException(
        "byte-range locks are not supported on a qcow2 disk; lock the image file instead");
  }

  @Override
  public FileLock tryLock(long pos, long size, boolean shared) {
    return lock(pos, size, shared);
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
