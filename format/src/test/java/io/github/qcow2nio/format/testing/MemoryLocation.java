package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.MemoryHostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/**
 * A file in an in-memory directory: names resolve within the same map. A {@link #storing}
 * location also keeps its writes: closing a writable file stores its contents back into the map,
 * so an image written and closed can be opened again and checked. Its files grow by at most
 * {@link #ROOM} bytes, as on a nearly full disk: fuzzed and crafted images ask for writes far
 * past their end, which a real file holds sparsely and an array would hold in the heap.
 */
public final class MemoryLocation implements ImageLocation {
  private final Map<String, byte[]> dir;
  private final String name;
  private final boolean storesOnClose;

  /** How far a storing location's file may grow past its size at open. */
  public static final int ROOM = 16 << 20;

  public MemoryLocation(Map<String, byte[]> dir, String name) {
    this(dir, name, false);
  }

  private MemoryLocation(Map<String, byte[]> dir, String name, boolean storesOnClose) {
    this.dir = dir;
    this.name = name;
    this.storesOnClose = storesOnClose;
  }

  /** A location whose writable files put their contents back into {@code dir} when closed. */
  public static MemoryLocation storing(Map<String, byte[]> dir, String name) {
    return new MemoryLocation(dir, name, true);
  }

  @Override
  public String displayName() {
    return name;
  }

  @Override
  public Object identity() {
    return name;
  }

  @Override
  public HostFile open(boolean writable) throws IOException {
    byte[] b = dir.get(name);
    if (b == null) {
      throw new NoSuchFileException(name);
    }
    MemoryHostFile f = storesOnClose ? new MemoryHostFile(name, b, writable, b.length + ROOM)
        : new MemoryHostFile(name, b, writable);
    return writable && storesOnClose ? new StoredOnClose(f) : f;
  }

  @Override
  public ImageLocation resolve(String other) {
    return new MemoryLocation(dir, other, storesOnClose);
  }

  /** Forwards to the in-memory file; its close is the moment the bytes become the map's. */
  private final class StoredOnClose implements HostFile {
    private final MemoryHostFile f;

    StoredOnClose(MemoryHostFile f) {
      this.f = f;
    }

    @Override public String name() {
      return f.name();
    }

    @Override public int read(ByteBuffer dst, long position) throws IOException {
      return f.read(dst, position);
    }

    @Override public void write(ByteBuffer src, long position) throws IOException {
      f.write(src, position);
    }

    @Override public long size() throws IOException {
      return f.size();
    }

    @Override public void truncate(long size) throws IOException {
      f.truncate(size);
    }

    @Override public void force() {}

    @Override public boolean isWritable() {
      return true;
    }

    @Override public void close() {
      dir.put(name, f.toByteArray());
    }
  }
}
