package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ForwardingHostFile;
import io.github.qcow2nio.format.testing.WrappingLocation;
import java.nio.file.Path;

/**
 * Real files whose force() does nothing: for tests of what the image holds, not of durability
 * (those use {@link FaultyLocation}), so that thousands of operations run in seconds.
 */
final class NoSyncLocation extends WrappingLocation {

  NoSyncLocation(Path path) {
    super(path, NoSync::new);
  }

  private record NoSync(HostFile delegate) implements ForwardingHostFile {
    @Override
    public void force() {}
  }
}
