package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.testing.ForwardingHostFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Real files whose force() does nothing: for tests of what the image holds, not of durability
 * (those use {@link FaultyHostFile}), so that thousands of operations run in seconds.
 */
final class NoSyncLocation implements ImageLocation {
  private final PathLocation path;

  NoSyncLocation(Path path) {
    this.path = new PathLocation(path);
  }

  @Override
  public String displayName() {
    return path.displayName();
  }

  @Override
  public Object identity() throws IOException {
    return path.identity();
  }

  @Override
  public HostFile open(boolean writable) throws IOException {
    return new NoSync(path.open(writable));
  }

  @Override
  public HostFile create() throws IOException {
    return new NoSync(path.create());
  }

  @Override
  public ImageLocation resolve(String name) throws IOException {
    return new NoSyncLocation(((PathLocation) path.resolve(name)).path());
  }

  private record NoSync(HostFile delegate) implements ForwardingHostFile {
    @Override
    public void force() {}
  }
}
