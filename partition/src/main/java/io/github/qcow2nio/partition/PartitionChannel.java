package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.OpenFlags;
import io.github.qcow2nio.nio.PositionalFileChannel;
import io.github.qcow2nio.partition.table.DiskAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileLock;
import java.nio.file.FileSystemException;

/**
 * A {@link java.nio.channels.FileChannel} on one partition: a window of the disk that never
 * grows. Reads stop at the partition's end; a write that would cross it fails whole, before a
 * byte is written. Positional calls touch no shared state (the disk access is thread-safe).
 */
final class PartitionChannel extends PositionalFileChannel {
  private final PartitionFileSystem fs;
  private final DiskAccess disk;
  private final Partition partition;
  private final long start;
  private final long size;

  PartitionChannel(PartitionFileSystem fs, DiskAccess disk, Partition partition, OpenFlags flags) {
    super(fs, flags, false);
    this.fs = fs;
    this.disk = disk;
    this.partition = partition;
    this.start = partition.start();
    this.size = partition.size();
  }

  /** Fills {@code dst} up to the partition's end; -1 at or past it. */
  @Override
  protected int implRead(ByteBuffer dst, long pos) throws IOException {
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

  /** Writes all of {@code src}, or nothing when it would cross the partition's end. */
  @Override
  protected int implWrite(ByteBuffer src, long pos) throws IOException {
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
    return n;
  }

  @Override
  protected long implSize() {
    return size;
  }

  /** Only a size at or above the partition's is accepted, and changes nothing. */
  @Override
  protected void implTruncate(long newSize) throws IOException {
    if (newSize < size) {
      throw new FileSystemException(fs.getPath("/" + partition.number()).toString(), null,
          "a partition's size is fixed by its table; it cannot be truncated to " + newSize);
    }
  }

  @Override
  protected void implForce(boolean metaData) throws IOException {
    if (!fs.isReadOnly()) {
      disk.force(metaData);
    }
  }

  /** A transfer into the partition stops at its end: a partition cannot grow. */
  @Override
  protected long transferFromLimit(long pos) {
    return size - pos;
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
}
