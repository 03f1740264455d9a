package io.github.qcow2nio.format.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A host file held in memory: for tests, and for images built or inspected without storage. */
public final class MemoryHostFile implements HostFile {
  /** The most a byte array holds. */
  private static final long ARRAY_LIMIT = Integer.MAX_VALUE - 8;

  private final String name;
  private final boolean writable;
  private final long maxSize;
  private byte[] data;
  private int size;

  public MemoryHostFile(String name, byte[] contents, boolean writable) {
    this(name, contents, writable, ARRAY_LIMIT);
  }

  /**
   * A file that cannot grow past {@code maxSize} bytes: a write or truncate beyond fails with an
   * {@code IOException}, as a full disk fails it. A hostile image can ask for a write at any
   * offset; on a real file that is a sparse write, in memory it would be that many bytes.
   */
  public MemoryHostFile(String name, byte[] contents, boolean writable, long maxSize) {
    this.name = name;
    this.writable = writable;
    this.maxSize = Math.min(Math.max(maxSize, contents.length), ARRAY_LIMIT);
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
    if (position < 0 || end > maxSize) {
      throw new IOException(name + ": No space left on device (an in-memory file of at most "
          + maxSize + " bytes; a write at " + position + " was asked for)");
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
    if (newSize < 0 || newSize > maxSize) {
      throw new IOException(name + ": No space left on device (an in-memory file of at most "
          + maxSize + " bytes; a size of " + newSize + " was asked for)");
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
      data = Arrays.copyOf(data, (int) Math.min(Math.max(capacity, data.length * 2L), maxSize));
    }
  }
}
