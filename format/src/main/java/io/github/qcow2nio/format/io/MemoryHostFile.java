package io.github.qcow2nio.format.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A host file held in memory: for tests, and for images built or inspected without storage. */
public final class MemoryHostFile implements HostFile {
  private final String name;
  private final boolean writable;
  private byte[] data;
  private int size;

  public MemoryHostFile(String name, byte[] contents, boolean writable) {
    this.name = name;
    this.writable = writable;
    this.data = contents.clone();
    this.size = contents.length;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public synchronized int read(ByteBuffer dst, long position) throws IOException {
    if (position < 0) {
      throw new IOException(name + ": read at negative position " + position);
    }
    if (position >= size) {
      return 0;
    }
    int n = (int) Math.min(dst.remaining(), size - position);
    dst.put(data, (int) position, n);
    return n;
  }

  @Override
  public synchronized void write(ByteBuffer src, long position) throws IOException {
    long end = position + src.remaining();
    // A hostile image can ask for a write at any offset below 2^56: that is the image's fault,
    // an IOException, not the caller's.
    if (position < 0 || end > Integer.MAX_VALUE - 8) {
      throw new IOException(name + ": an in-memory file holds at most 2 GiB; a write at "
          + position + " was asked for");
    }
    ensure((int) end);
    src.get(data, (int) position, src.remaining());
    size = Math.max(size, (int) end);
  }

  @Override
  public synchronized long size() {
    return size;
  }

  @Override
  public synchronized void truncate(long newSize) throws IOException {
    if (newSize < 0 || newSize > Integer.MAX_VALUE - 8) {
      throw new IOException(name + ": an in-memory file holds at most 2 GiB; a size of "
          + newSize + " was asked for");
    }
    ensure((int) newSize);
    if (newSize < size) {
      Arrays.fill(data, (int) newSize, size, (byte) 0);
    }
    size = (int) newSize;
  }

  @Override
  public void force() {}

  @Override
  public void close() {}

  /** A copy of the current contents. */
  public synchronized byte[] toByteArray() {
    return Arrays.copyOf(data, size);
  }

  private void ensure(int capacity) {
    if (capacity > data.length) {
      data = Arrays.copyOf(data, Math.max(capacity, data.length * 2));
    }
  }
}
