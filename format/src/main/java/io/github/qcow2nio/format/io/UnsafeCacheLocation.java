package io.github.qcow2nio.format.io;

import java.io.IOException;
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
  private record Unforced(HostFile delegate) implements ForwardingHostFile {
    @Override
    public void force() {}
  }
}
