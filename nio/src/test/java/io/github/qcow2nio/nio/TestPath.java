package io.github.qcow2nio.nio;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/** The smallest concrete path, of no file system (null): the arithmetic needs none. */
final class TestPath extends AbstractPath<TestPath> {
  private static final NestedUri URIS =
      new NestedUri("test", "file", "test:<file-uri>!/path", "test:<file-uri>", false);

  private TestPath(boolean absolute, String[] names) {
    super(absolute, names);
  }

  static TestPath of(String path) {
    return new TestPath(path.startsWith("/"), parseNames(path));
  }

  @Override
  protected TestPath newPath(boolean absolute, String[] names) {
    return new TestPath(absolute, names);
  }

  @Override
  protected TestPath root() {
    return new TestPath(true, new String[0]);
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException("not a test path: " + other);
  }

  @Override
  public FileSystem getFileSystem() {
    return null;
  }

  @Override
  public URI toUri() {
    return URIS.pathUri(URI.create("mem:/vol"), uriPath());
  }

  @Override
  public Path toRealPath(LinkOption... options) {
    return toAbsolutePath().normalize();
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException();
  }
}
