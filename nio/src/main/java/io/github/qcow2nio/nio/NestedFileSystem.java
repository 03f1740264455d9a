package io.github.qcow2nio.nio;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Set;

/**
 * A file system held in a file of another provider (an image, a disk, a volume), with what every
 * such file system does alike: its open state and the channels and streams it handed out, the
 * order of closing, one root and one store, path strings and matchers, its URI and the refusals
 * (watching, users) in its own words. A subclass supplies its paths, its store, what it holds
 * and what closing releases.
 *
 * @param <P> the file system's path type
 */
public abstract class NestedFileSystem<P extends NestedPath<P, ?>> extends FileSystem {
  /** One step of closing; every step runs, even when an earlier one fails. */
  @FunctionalInterface
  protected interface Release {
    void run() throws IOException;
  }

  private final NestedFileSystemProvider<?, ?> provider;
  private final URI innerUri;
  private final Object key;
  private final boolean readOnly;
  private final OpenResources resources = new OpenResources();
  private volatile P root;

  /**
   * @param innerUri the URI of the file the file system is held in
   * @param key the file's identity in the provider's registry: one file system per file
   */
  protected NestedFileSystem(NestedFileSystemProvider<?, ?> provider, URI innerUri, Object key,
      boolean readOnly) {
    this.provider = provider;
    this.innerUri = innerUri;
    this.key = key;
    this.readOnly = readOnly;
  }

  // ---- what a subclass supplies

  /** A path of this file system; the only way paths are made. */
  protected abstract P newPath(boolean absolute, String[] names);

  /** The one store. */
  protected abstract FileStore store();

  /**
   * What closing releases once the channels and streams are closed, in order: flushes first, then
   * the file the file system is held in.
   */
  protected abstract List<Release> releases();

  /**
   * The real path: by default the absolute, normalized path once it is found to exist; a file
   * system whose names ignore case or hold links sees through them here.
   */
  protected P realPath(P path, LinkOption... options) throws IOException {
    P real = path.toAbsolutePath().normalize();
    provider.checkAccess(real);
    return real;
  }

  /** Flags of {@link java.util.regex.Pattern} for glob matchers: case-insensitive names say so. */
  protected int globFlags() {
    return 0;
  }

  /** Why neither the file system nor its paths can be watched. */
  protected String watchRefusal() {
    return provider.noun() + " cannot be watched";
  }

  // ---- the file system

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  /** The URI of the file the file system is held in. */
  protected final URI innerUri() {
    return innerUri;
  }

  final NestedFileSystemProvider<?, ?> owner() {
    return provider;
  }

  final Object key() {
    return key;
  }

  protected final P root() {
    P r = root;
    if (r == null) {
      r = newPath(true, new String[0]); // racing threads make equal roots
      root = r;
    }
    return r;
  }

  /**
   * Closes every channel and stream handed out (while the file system still counts as open, so
   * that they may still use it), then the subclass's {@link #releases}; the provider forgets the
   * file system whatever fails. The first failure is thrown, the later ones suppressed in it.
   */
  @Override
  public final void close() throws IOException {
    if (!resources.startClosing()) {
      return;
    }
    IOException failure = resources.closeAll(null);
    resources.markClosed();
    try {
      for (Release r : releases()) {
        try {
          r.run();
        } catch (IOException e) {
          failure = OpenResources.add(failure, e);
        }
      }
    } finally {
      provider.registry().remove(this);
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public final boolean isOpen() {
    return resources.isOpen();
  }

  /** Throws {@code ClosedFileSystemException} once the file system is closed. */
  public final void checkOpen() {
    resources.checkOpen();
  }

  final void register(Closeable c) {
    resources.register(c);
  }

  final void unregister(Closeable c) {
    resources.unregister(c);
  }

  /** How many channels and streams are open. */
  protected final int openResourceCount() {
    return resources.count();
  }

  @Override
  public final boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public final String getSeparator() {
    return "/";
  }

  @Override
  public final Iterable<Path> getRootDirectories() {
    checkOpen();
    return List.of(root());
  }

  @Override
  public final Iterable<FileStore> getFileStores() {
    checkOpen();
    return List.of(store());
  }

  /** The names joined by "/", empty ones left out, as the default file system joins them. */
  @Override
  public final P getPath(String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(m);
      }
    }
    String path = sb.toString();
    return newPath(path.startsWith("/"), AbstractPath.parseNames(path));
  }

  @Override
  public final PathMatcher getPathMatcher(String syntaxAndPattern) {
    return PathMatchers.of(syntaxAndPattern, globFlags());
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException(provider.noun() + " has no users");
  }

  @Override
  public final WatchService newWatchService() {
    throw new UnsupportedOperationException(watchRefusal());
  }

  @Override
  public abstract Set<String> supportedFileAttributeViews();

  @Override
  public String toString() {
    return provider.form().fileSystemUri(innerUri).toString();
  }
}
