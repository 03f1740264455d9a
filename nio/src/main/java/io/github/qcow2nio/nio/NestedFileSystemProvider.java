package io.github.qcow2nio.nio;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider of {@link NestedFileSystem}s: what the project's providers do alike. Finding an open
 * file system or path by URI (the cut rule is the subclass's), the path check every method makes
 * first, channels and streams handed out so that closing the file system closes them, the same
 * file, the store, and the dispatch of attribute views by type and by name. A subclass opens its
 * file systems, its files and directories, and supplies its attribute views.
 *
 * @param <F> the file system type
 * @param <P> the path type
 */
public abstract class NestedFileSystemProvider<F extends NestedFileSystem<P>,
    P extends NestedPath<P, F>> extends FileSystemProvider {

  /**
   * The attribute views of a file system.
   *
   * @param byType each view type and the name its view answers to
   * @param readAs the view whose attributes {@code readAttributes(path, Class)} reads
   * @param readTypes the attribute types it reads as
   * @param offered what the file system has, for the refusal of any other type
   */
  public record AttributeViews(Map<Class<? extends FileAttributeView>, String> byType,
      String readAs, Set<Class<? extends BasicFileAttributes>> readTypes, String offered) {}

  private final NestedUri form;
  private final FileSystemRegistry<F> registry;
  private final Class<P> pathType;
  private final String pathNoun;

  /**
   * @param form the provider's URIs
   * @param registry its open file systems: a static field of the subclass
   * @param pathType its paths' class
   * @param pathNoun its path in messages: "a qcow2 path"
   */
  protected NestedFileSystemProvider(NestedUri form, FileSystemRegistry<F> registry,
      Class<P> pathType, String pathNoun) {
    this.form = form;
    this.registry = registry;
    this.pathType = pathType;
    this.pathNoun = pathNoun;
  }

  // ---- what a subclass supplies

  /**
   * The ways to read a path URI, in the order they are tried: by default only the cut at the
   * last "!/"; a provider whose contract cuts at the first lists every cut.
   */
  protected List<NestedUri.Split> pathCuts(URI uri) {
    return List.of(form.lastCut(uri));
  }

  /** Whether two paths of one file system, equal neither as paths, name the same file. */
  protected boolean sameFile(P a, P b) throws IOException {
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  protected abstract AttributeViews attributeViews();

  /** The view called {@code name} (a name of {@link AttributeViews#byType}) of {@code path}. */
  protected abstract FileAttributeView view(P path, String name, boolean follow);

  /** {@code Files.readAttributes(path, "view:names")}. */
  protected abstract Map<String, Object> readByName(P path, String attributes, boolean follow)
      throws IOException;

  /** {@code Files.setAttribute(path, "view:name", value)}. */
  protected abstract void setByName(P path, String attribute, Object value, boolean follow)
      throws IOException;

  // ---- for subclasses

  final NestedUri form() {
    return form;
  }

  final FileSystemRegistry<F> registry() {
    return registry;
  }

  /** The file system in messages, with its article: "a qcow2 file system". */
  protected final String noun() {
    return registry.noun();
  }

  /** {@code path} as one of this provider's paths, or the exception every method throws. */
  protected final P check(Path path) {
    return ProviderPaths.own(path, pathType, pathNoun);
  }

  /** Hands out a channel or stream: closing the file system closes it. */
  protected final <C extends Closeable> C handOut(F fs, C resource) {
    fs.register(resource);
    return resource;
  }

  /** A directory stream over {@code names}, handed out. */
  protected final DirectoryStream<Path> directoryStream(F fs, P dir, List<String> names,
      DirectoryStream.Filter<? super Path> filter) {
    return handOut(fs, BatchedDirectoryStream.of(dir, names, filter, fs::unregister));
  }

  /** A directory stream over names read a batch at a time, handed out. */
  protected final DirectoryStream<Path> directoryStream(F fs, P dir,
      BatchedDirectoryStream.Batches batches, DirectoryStream.Filter<? super Path> filter) {
    return handOut(fs, new BatchedDirectoryStream(dir, batches, filter, fs::unregister));
  }

  /**
   * The refusal of a change the file system cannot make: {@code ReadOnlyFileSystemException} on a
   * read-only one (thrown), else an {@code AccessDeniedException} saying {@code why} (returned,
   * for the caller to throw).
   */
  protected static IOException denied(NestedFileSystem<?> fs, Path path, String why) {
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    return new AccessDeniedException(path.toString(), null, why);
  }

  /**
   * For a file system whose tree is fixed: the refusal of a change to {@code path} once it is
   * found to exist (a missing path is refused by {@code checkAccess} first, as always).
   */
  protected final IOException refusal(P path, String why) throws IOException {
    checkAccess(path);
    return denied(path.getFileSystem(), path, why);
  }

  /** What WRITE access needs beyond a read-write file system; throws when it does not hold. */
  @FunctionalInterface
  protected interface WriteCheck {
    void check() throws IOException;
  }

  /**
   * The modes of {@code checkAccess}, for a file system whose files can be read but never run:
   * READ holds for whatever exists (the caller has looked {@code path} up), WRITE needs a
   * read-write file system and then what {@code write} says, EXECUTE never holds.
   */
  protected final void checkModes(P path, AccessMode[] modes, WriteCheck write)
      throws IOException {
    for (AccessMode m : modes) {
      switch (m) {
        case READ -> { }
        case WRITE -> {
          if (path.getFileSystem().isReadOnly()) {
            throw new AccessDeniedException(path.toString(), null, "read-only file system");
          }
          write.check();
        }
        case EXECUTE -> throw new AccessDeniedException(path.toString(), null,
            "nothing in " + noun() + " is executable");
        default -> throw new UnsupportedOperationException("access mode " + m);
      }
    }
  }

  // ---- file systems by URI

  @Override
  public final String getScheme() {
    return form.scheme();
  }

  /** The open file system of {@code scheme:<inner-uri>} (a path URI with "!/..." works too). */
  @Override
  public final F getFileSystem(URI uri) {
    F fs = registry.find(form.fileSystemInner(uri));
    if (fs == null && uri.getRawSchemeSpecificPart().contains("!/")) {
      for (NestedUri.Split s : pathCuts(uri)) {
        fs = registry.find(s.inner());
        if (fs != null) {
          break;
        }
      }
    }
    if (fs == null) {
      throw notOpen(uri);
    }
    return fs;
  }

  /** The path of {@code scheme:<inner-uri>!/path}, in the file system already open on it. */
  @Override
  public final P getPath(URI uri) {
    for (NestedUri.Split s : pathCuts(uri)) {
      F fs = registry.find(s.inner());
      if (fs != null) {
        return fs.getPath(s.path());
      }
    }
    throw notOpen(uri);
  }

  private FileSystemNotFoundException notOpen(URI uri) {
    String noun = registry.noun();
    return new FileSystemNotFoundException(
        "no " + noun.substring(noun.indexOf(' ') + 1) + " is open for " + uri);
  }

  // ---- files

  /** Every channel is a {@code FileChannel}. */
  @Override
  public final SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public final boolean isSameFile(Path path, Path path2) throws IOException {
    if (path.equals(path2)) {
      return true;
    }
    if (!pathType.isInstance(path) || !pathType.isInstance(path2)
        || path.getFileSystem() != path2.getFileSystem()) {
      return false;
    }
    return sameFile(pathType.cast(path), pathType.cast(path2));
  }

  /** Nothing is hidden unless the subclass says otherwise. */
  @Override
  public boolean isHidden(Path path) throws IOException {
    check(path);
    return false;
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    P p = check(path);
    checkAccess(p); // no modes: only that it exists
    return p.getFileSystem().store();
  }

  // ---- attributes

  @Override
  public final <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
      LinkOption... options) {
    P p = check(path);
    String name = attributeViews().byType().get(type);
    return name == null ? null : type.cast(view(p, name, ProviderPaths.followLinks(options)));
  }

  @Override
  public final <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type,
      LinkOption... options) throws IOException {
    P p = check(path);
    AttributeViews views = attributeViews();
    if (!views.readTypes().contains(type)) {
      throw new UnsupportedOperationException("attributes " + type.getName() + "; "
          + noun() + " has " + views.offered());
    }
    BasicFileAttributeView view =
        (BasicFileAttributeView) view(p, views.readAs(), ProviderPaths.followLinks(options));
    return type.cast(view.readAttributes());
  }

  @Override
  public final Map<String, Object> readAttributes(Path path, String attributes,
      LinkOption... options) throws IOException {
    return readByName(check(path), attributes, ProviderPaths.followLinks(options));
  }

  @Override
  public final void setAttribute(Path path, String attribute, Object value,
      LinkOption... options) throws IOException {
    setByName(check(path), attribute, value, ProviderPaths.followLinks(options));
  }
}
