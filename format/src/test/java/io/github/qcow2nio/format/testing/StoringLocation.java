package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.MemoryHostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/**
 * A file in an in-memory directory whose writes are kept: closing a writable file stores its
 * contents back into the map, so an image written and closed can be opened again and checked.
 */
public final class StoringLocation implements ImageLocation {
  private final Map<String, byte[]> dir;
  private final String name;

  public StoringLocation(Map<String, byte[]> dir, String name) {
    this.dir = dir;
    this.name = name;
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
    MemoryHostFile f = new MemoryHostFile(name, b, writable);
    return !writable ? f : new HostFile() {
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
    };
  }

  @Override
  public ImageLocation resolve(String other) {
    return new StoringLocation(dir, other);
  }
}
