package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.MemoryHostFile;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** A file in an in-memory directory: names resolve within the same map. */
public final class MemoryLocation implements ImageLocation {
  private final Map<String, byte[]> dir;
  private final String name;

  public MemoryLocation(Map<String, byte[]> dir, String name) {
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
  public HostFile open(boolean writable) throws NoSuchFileException {
    byte[] b = dir.get(name);
    if (b == null) {
      throw new NoSuchFileException(name);
    }
    return new MemoryHostFile(name, b, writable);
  }

  @Override
  public ImageLocation resolve(String other) {
    return new MemoryLocation(dir, other);
  }
}
