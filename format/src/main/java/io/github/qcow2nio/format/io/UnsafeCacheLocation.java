package io.github.qcow2nio.format.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A location whose files are never forced to stable storage: QEMU's cache mode {@code unsafe},
 * which {@code qemu-img convert} uses for its target by default. Writes still reach the
 * operating system in the order the write path issues them, so an image survives the end of
 * this process at any point; only a crash of the machine (or a power loss) before the OS writes
 * its cache back can leave it inconsistent. Meant for a file that is worthless until complete,
 * such as a conversion's target; files the image names (its data file) are opened the same way.
 */
public final class UnsafeCacheLocation implements ImageLocation {
  private final ImageLocation location;

  public UnsafeCacheLocation(ImageLocation location) {
    this.location = Objects.requireNonNull(location, "location");
  }

  @Override
  public String displayName() {
    return location.displayName();
  }

  @Override
  public Object identity() throws IOException {
    return location.identity();
  }

  @Override
  public HostFile open(boolean writable) throws IOException {
    return new Unforced(location.open(writable));
  }

  @Override
  public HostFile create() throws IOException {
    return new Unforced(location.create());
  }

  @Override
  public ImageLocation resolve(String name) throws IOException {
    return new UnsafeCacheLocation(location.resolve(name));
  }

  /** The file itself for everything but {@link #force}, which does nothing. */
  private static final class Unforced implements HostFile {
    private final HostFile file;

    Unforced(HostFile file) {
      this.file = file;
    }

    @Override
    public String name() {
      return file.name();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      file.write(src, position);
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      file.truncate(size);
    }

    @Override
    public void force() {}

    @Override
    public boolean isWritable() {
      return file.isWritable();
    }

    @Override
    public void lock(LockPermissions permissions) throws IOException {
      file.lock(permissions);
    }

    @Override
    public int readOrZero(ByteBuffer dst, long position) throws IOException {
      return file.readOrZero(dst, position);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
