package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.read.FileData;
import io.github.qcow2nio.nio.OpenFlags;
import io.github.qcow2nio.nio.PositionalFileChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileLock;

/**
 * A read-only channel on one file's bytes. A {@code FileChannel}, so that what lies in a file
 * (a disk image, a partition table) can be opened in turn by providers that want positional
 * reads; positional reads are safe from many threads.
 */
final class Ext4FileChannel extends PositionalFileChannel {
  private final FileData data;

  Ext4FileChannel(Ext4FileSystem fs, FileData data) {
    super(fs, OpenFlags.READ_ONLY, false);
    this.data = data;
  }

  @Override
  protected int implRead(ByteBuffer dst, long pos) throws IOException {
    return data.read(dst, pos);
  }

  @Override
  protected long implSize() {
    return data.size();
  }

  /** Nothing to force: nothing is written. */
  @Override
  protected void implForce(boolean metaData) {}

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
    checkLockable(shared);
    return jvmLock(position, size, true);
  }
}
