package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.nio.OpenFlags;
import io.github.qcow2nio.nio.PositionalFileChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileLock;

/**
 * A {@link java.nio.channels.FileChannel} on a virtual disk. Reads and writes move whole buffers
 * (short only at the end of the disk); positional calls touch no shared state, so they run in
 * parallel. An interrupt closes this channel alone: the disk and the file system stay open.
 * Writing past the end grows the disk and truncating shrinks it, under the file system's resize
 * lock.
 */
final class DiskChannel extends PositionalFileChannel {
  private final Qcow2FileSystem fs;
  private final VirtualDisk disk;

  DiskChannel(Qcow2FileSystem fs, VirtualDisk disk, OpenFlags flags) {
    super(fs, flags, true);
    this.fs = fs;
    this.disk = disk;
    fs.channelOpened(disk);
  }

  @Override
  protected int implRead(ByteBuffer dst, long pos) throws IOException {
    return dst.hasRemaining() && pos >= disk.size() ? -1 : disk.read(dst, pos);
  }

  @Override
  protected int implWrite(ByteBuffer src, long pos) throws IOException {
    int n = src.remaining();
    if (n > 0) {
      fs.writeGrowing(disk, src, pos);
    }
    return n;
  }

  @Override
  protected long implSize() {
    return disk.size();
  }

  /** Shrinks the disk (a resize); a size at or above the current one changes nothing. */
  @Override
  protected void implTruncate(long size) throws IOException {
    fs.shrink(disk, size);
  }

  /** Flushes the disk: data, then metadata, then the image file, as the core orders them. */
  @Override
  protected void implForce(boolean metaData) throws IOException {
    if (fs.isWritableDisk(disk)) {
      disk.flush();
    }
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

  /** A snapshot with an open channel cannot be deleted or replaced: the file system counts them. */
  @Override
  protected void implCloseSource() {
    fs.channelClosed(disk);
  }
}
