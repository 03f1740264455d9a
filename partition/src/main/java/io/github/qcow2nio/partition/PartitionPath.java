package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.AbstractPath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * A path in a partition file system: a Unix-like string path, absolute when it starts with "/".
 * The namespace is flat ("/" and its partitions), but paths keep the general arithmetic so that
 * relative paths, "." and ".." behave as in every other provider; lookups decide what exists.
 */
final class PartitionPath extends AbstractPath<PartitionPath> {
  private final PartitionFileSystem fs;

  PartitionPath(PartitionFileSystem fs, boolean absolute, String[] names) {
    super(absolute, names);
    this.fs = fs;
  }

  /** Parses a path string; empty names (from "//" or a trailing "/") vanish, as on Unix. */
  static PartitionPath parse(PartitionFileSystem fs, String path) {
    return new PartitionPath(fs, path.startsWith("/"), parseNames(path));
  }

  String[] names() {
    return nameArray();
  }

  @Override
  protected PartitionPath newPath(boolean absolute, String[] names) {
    return new PartitionPath(fs, absolute, names);
  }

  @Override
  protected PartitionPath root() {
    return fs.root();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException(
        "not a path of the partition file system of " + fs.diskPath() + ": " + other);
  }

  @Override
  public PartitionFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public URI toUri() {
    return PartitionUris.FORM.pathUri(fs.diskUri(), uriPath());
  }

  @Override
  public PartitionPath toRealPath(LinkOption... options) throws IOException {
    PartitionPath real = toAbsolutePath().normalize();
    fs.provider().checkAccess(real);
    return real;
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("a partition file system cannot be watched");
  }
}
