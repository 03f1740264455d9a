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
 * lock. Copies stay sparse: {@code transferTo} skips what reads as zeros where the target is a
 * file being extended, and writes of zeros (so {@code transferFrom} and streams) store nothing
 * where the disk already reads zeros.
 */
final class DiskChannel extends PositionalFileChannel implements BlockStatusChannel {
  private static final int ZERO_BLOCK = 4096;

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

  @Override
  public DiskExtent blockStatus(long offset, long maxLength) throws IOException {
    checkOpen();
    return fs.extents(disk).at(offset, maxLength);
  }

  /** The chain's block status: {@code transferTo} skips what it reports as zeros. */
  @Override
  protected Run runAt(long pos, long max) throws IOException {
    DiskExtent e = fs.extents(disk).at(pos, max);
    return new Run(e.length(), e.zero());
  }

  /**
   * Writes in runs split at 4 KiB blocks of zeros, which become write-zeros (nothing where the
   * disk reads zeros already) rather than stored data.
   */
  @Override
  protected void writeTransferred(ByteBuffer buf, long pos) throws IOException {
    int start = buf.position();
    int end = buf.limit();
    int runStart = start;
    Boolean runZero = null;
    for (int at = start; at < end; ) {
      int next = Math.min(end, at + ZERO_BLOCK);
      boolean zero = DiskExtents.isZero(buf.duplicate().limit(next).position(at));
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

  /** A snapshot with an open channel cannot be deleted or replaced: the file system counts them. */
  @Override
  protected void implCloseSource() {
    fs.channelClosed(disk);
  }
}
