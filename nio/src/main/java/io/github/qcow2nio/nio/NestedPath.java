package io.github.qcow2nio.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * A path of a {@link NestedFileSystem}: the shared arithmetic of {@link AbstractPath}, made by
 * its file system, with the URI form, real path and watch refusal its file system gives. A
 * subclass is a constructor and the exception for a path of another file system.
 *
 * @param <P> the concrete path type
 * @param <F> its file system's type
 */
public abstract class NestedPath<P extends NestedPath<P, F>, F extends NestedFileSystem<P>>
    extends AbstractPath<P> {
  private final F fs;

  protected NestedPath(F fs, boolean absolute, String[] names) {
    super(absolute, names);
    this.fs = fs;
  }

  @Override
  protected final P newPath(boolean absolute, String[] names) {
    return fs.newPath(absolute, names);
  }

  @Override
  protected final P root() {
    return fs.root();
  }

  @Override
  public final F getFileSystem() {
    return fs;
  }

  /** {@code scheme:<inner-uri>!/path}, the path absolute and normalized. */
  @Override
  public final URI toUri() {
    return fs.owner().form().pathUri(fs.innerUri(), uriPath());
  }

  @Override
  public final P toRealPath(LinkOption... options) throws IOException {
    @SuppressWarnings("unchecked")
    P self = (P) this;
    return fs.realPath(self, options);
  }

  @Override
  public final WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException(fs.watchRefusal());
  }
}
