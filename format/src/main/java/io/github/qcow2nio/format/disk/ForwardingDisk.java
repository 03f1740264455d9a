package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A disk that passes the read side (size, reads, name, block status) and closing to the disk
 * below, so that a wrapper states only what it changes. Writes keep {@link VirtualDisk}'s
 * refusals unless the wrapper forwards them itself: a wrapper that hands out a read-only view
 * stays read-only by default.
 */
public abstract class ForwardingDisk implements VirtualDisk {
  private final VirtualDisk delegate;

  protected ForwardingDisk(VirtualDisk delegate) {
    this.delegate = delegate;
  }

  @Override
  public long size() {
    return delegate.size();
  }

  @Override
  public int read(ByteBuffer dst, long offset) throws IOException {
    return delegate.read(dst, offset);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Extent blockStatus(long offset, long maxLength) throws IOException {
    return delegate.blockStatus(offset, maxLength);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
