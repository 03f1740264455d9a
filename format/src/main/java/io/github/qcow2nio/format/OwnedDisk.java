package io.github.qcow2nio.format;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read-only disk handed to a caller together with what must be closed with it (the image or
 * raw file it reads, and that one's chain): a backing disk opened on its own.
 */
final class OwnedDisk implements VirtualDisk {
  private final VirtualDisk disk;
  private final Closeable owner;

  OwnedDisk(VirtualDisk disk, Closeable owner) {
    this.disk = disk;
    this.owner = owner;
  }

  @Override
  public long size() {
    return disk.size();
  }

  @Override
  public int read(ByteBuffer dst, long offset) throws IOException {
    return disk.read(dst, offset);
  }

  @Override
  public String name() {
    return disk.name();
  }

  @Override
  public Extent blockStatus(long offset, long maxLength) throws IOException {
    return disk.blockStatus(offset, maxLength);
  }

  @Override
  public void close() throws IOException {
    owner.close();
  }
}
