package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.FileHandle;
import io.github.qcow2nio.fat.volume.FileIo;
import io.github.qcow2nio.nio.OpenFlags;
import io.github.qcow2nio.nio.PositionalFileChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A channel on one FAT file, as a {@link java.nio.channels.FileChannel} so that readers needing
 * positional I/O (a qcow2 image, a partition table) can sit on a FAT file. Channels on the same
 * file share its handle, so each sees the others' writes and size; the volume's lock orders them.
 * Locks are held in this JVM only: the volume itself belongs to one file system of this JVM.
 */
final class FatFileChannel extends PositionalFileChannel {
  private final FatFileSystem fs;
  private final FileHandle handle;
  private final FileIo io;
  private final boolean deleteOnClose;
  private final FatPath path;
  private final List<FileLock> locks = new ArrayList<>();

  FatFileChannel(FatFileSystem fs, FileHandle handle, OpenFlags flags, FatPath path) {
    super(fs, flags, false);
    this.fs = fs;
    this.handle = handle;
    this.io = fs.volume().io();
    this.deleteOnClose = flags.deleteOnClose();
    this.path = path;
  }

  @Override
  protected int implRead(ByteBuffer dst, long pos) throws IOException {
    return io.read(handle, pos, dst);
  }

  @Override
  protected int implWrite(ByteBuffer src, long pos) throws IOException {
    return io.write(handle, pos, src, Instant.now());
  }

  @Override
  protected long implSize() {
    return io.size(handle);
  }

  @Override
  protected void implTruncate(long size) throws IOException {
    io.truncate(handle, size, Instant.now());
  }

  /** Writes the FAT copies and FSInfo and forces the volume's file. */
  @Override
  protected void implForce(boolean metaData) throws IOException {
    fs.volume().flush();
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
    checkLockable(shared);
    synchronized (locks) {
      locks.removeIf(l -> !l.isValid());
      for (FileLock l : locks) {
        if (l.overlaps(pos, size)) {
          throw new OverlappingFileLockException();
        }
      }
      FileLock l = jvmLock(pos, size, shared);
      locks.add(l);
      return l;
    }
  }

  /** Gives the handle back and, for DELETE_ON_CLOSE, deletes the file: not once the volume is. */
  @Override
  protected void implCloseSource() throws IOException {
    if (!fs.isOpen()) {
      return;
    }
    fs.volume().close(handle);
    if (deleteOnClose) {
      fs.provider().delete(path);
    }
  }
}
