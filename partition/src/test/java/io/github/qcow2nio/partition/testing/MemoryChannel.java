package io.github.qcow2nio.partition.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;

/**
 * A plain {@link SeekableByteChannel} over a byte array, not a FileChannel: what a zip entry or
 * a network file gives, so the code under test must lock position and read together.
 */
public final class MemoryChannel implements SeekableByteChannel {
  private byte[] bytes;
  private long size;
  private long position;
  private boolean open = true;

  private final boolean yieldInRead;

  public MemoryChannel(byte[] bytes) {
    this(bytes, true);
  }

  /** {@code yieldInRead} false: no yield in read, for single-threaded tests that read a lot. */
  public MemoryChannel(byte[] bytes, boolean yieldInRead) {
    this.bytes = bytes;
    this.size = bytes.length;
    this.yieldInRead = yieldInRead;
  }

  public byte[] bytes() {
    return Arrays.copyOf(bytes, (int) size);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    check();
    // Yield between the caller's position() and the copy: a caller that does not hold one lock
    // over position+read reads where another thread moved the position to.
    if (yieldInRead) {
      Thread.yield();
    }
    if (position >= size) {
      return -1;
    }
    int n = (int) Math.min(dst.remaining(), size - position);
    dst.put(bytes, (int) position, n);
    position += n;
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    check();
    int n = src.remaining();
    long end = position + n;
    if (end > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.max(end, bytes.length * 2L));
    }
    src.get(bytes, (int) position, n);
    position = end;
    size = Math.max(size, end);
    return n;
  }

  @Override
  public long position() throws IOException {
    check();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    check();
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    check();
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) throws IOException {
    check();
    size = Math.min(size, newSize);
    position = Math.min(position, newSize);
    return this;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }

  private void check() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
