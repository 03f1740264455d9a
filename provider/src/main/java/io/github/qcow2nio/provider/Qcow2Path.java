package io.github.qcow2nio.provider;

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
 * A path in a qcow2 file system: a Unix-like string path, absolute when it starts with "/". The
 * path arithmetic is the project's shared one; what is qcow2's is the file system and its URI.
 */
public final class Qcow2Path extends AbstractPath<Qcow2Path> {
  private final Qcow2FileSystem fs;

  Qcow2Path(Qcow2FileSystem fs, boolean absolute, String[] names) {
    super(absolute, names);
    this.fs = fs;
  }

  /** Parses a path string; empty names (from "//" or a trailing "/") vanish, as on Unix. */
  static Qcow2Path parse(Qcow2FileSystem fs, String path) {
    return new Qcow2Path(fs, path.startsWith("/"), parseNames(path));
  }

  String[] names() {
    return nameArray();
  }

  @Override
  protected Qcow2Path newPath(boolean absolute, String[] names) {
    return new Qcow2Path(fs, absolute, names);
  }

  @Override
  protected Qcow2Path root() {
    return fs.root();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException(
        "not a path of the qcow2 file system of " + fs.imagePath() + ": " + other);
  }

  @Override
  public Qcow2FileSystem getFileSystem() {
    return fs;
  }

  @Override
  public URI toUri() {
    return Qcow2Uris.FORM.pathUri(fs.imageUri(), uriPath());
  }

  @Override
  public Qcow2Path toRealPath(LinkOption... options) throws IOException {
    Qcow2Path real = toAbsolutePath().normalize();
    fs.provider().checkAccess(real);
    return real;
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("a qcow2 file system cannot be watched");
  }
}
