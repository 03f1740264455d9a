package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Real files at a path, each one the location opens or creates (the image, and the backing and
 * data files it resolves) handed through {@code wrap}: how tests count, drop or fail host I/O.
 */
public class WrappingLocation implements ImageLocation {
  private final PathLocation path;
  private final UnaryOperator<HostFile> wrap;

  public WrappingLocation(Path path, UnaryOperator<HostFile> wrap) {
    this.path = new PathLocation(path);
    this.wrap = wrap;
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
    return wrap.apply(path.open(writable));
  }

  @Override
  public HostFile create() throws IOException {
    return wrap.apply(path.create());
  }

  @Override
  public ImageLocation resolve(String name) throws IOException {
    return new WrappingLocation(((PathLocation) path.resolve(name)).path(), wrap);
  }
}
