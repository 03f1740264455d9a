package io.github.qcow2nio.format;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.ForwardingDisk;
import java.io.Closeable;
import java.io.IOException;

/**
 * A read-only disk handed to a caller together with what must be closed with it (the image or
 * raw file it reads, and that one's chain): a backing disk opened on its own.
 */
final class OwnedDisk extends ForwardingDisk {
  private final Closeable owner;

  OwnedDisk(VirtualDisk disk, Closeable owner) {
    super(disk);
    this.owner = owner;
  }

  @Override
  public void close() throws IOException {
    owner.close();
  }
}
