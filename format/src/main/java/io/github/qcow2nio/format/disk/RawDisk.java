package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.Buffers;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A raw image: the file's bytes are the disk. Used for raw backing files. */
public final class RawDisk implements VirtualDisk {
  private final HostFile file;
  private final long size;

  public RawDisk(HostFile file) throws IOException {
    this.file = file;
    this.size = file.size();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String name() {
    return file.name();
  }

  @Override
  public int read(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (offset >= size) {
      return -1;
    }
    int n = (int) Math.min(dst.remaining(), size - offset);
    int limit = dst.limit();
    dst.limit(dst.position() + n);
    try {
      // A file that shrank under us reads zeros rather than failing half-way.
      file.readOrZero(dst, offset);
    } finally {
      dst.limit(limit);
    }
    return n;
  }

  /** All of a raw disk is data, stored at its own offset in the file. */
  @Override
  public Extent blockStatus(long offset, long maxLength) {
    if (offset < 0 || offset >= size || maxLength <= 0) {
      throw new IllegalArgumentException("block status of " + maxLength + " bytes at " + offset
          + " outside a disk of " + size + " bytes");
    }
    return new Extent(offset, Math.min(maxLength, size - offset), ClusterType.NORMAL, offset);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
