package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.nio.BatchedDirectoryStream;
import io.github.qcow2nio.nio.NestedUri;
import io.github.qcow2nio.nio.OpenFlags;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import io.github.qcow2nio.nio.ProviderPaths;

/**
 * The {@code qcow2:} provider. A file system per open image, found by the image's real path: one
 * image is never open twice at once in this JVM, whichever way it was named and whichever
 * instance of the provider opened it (two writers with caches of their own would corrupt it).
 */
public final class Qcow2FileSystemProvider extends FileSystemProvider {
  private static final String FIXED_TREE =
      "a qcow2 file system holds only /disk and /snapshots/<name>";

  /** Every open qcow2 file system, by its image's identity. Guarded by itself. */
  private static final Map<Object, Qcow2FileSystem> fileSystems = new HashMap<>();

  /**
   * Called by the JDK's provider lookup. Code that wants the installed instance gets it from
   * {@code FileSystemProvider.installedProviders()}; a new instance keeps file systems of its own.
   */
  public Qcow2FileSystemProvider() {}

  @Override
  public String getScheme() {
    return Qcow2Uris.SCHEME;
  }

  // ---- file systems

  /** Opens {@code qcow2:<image-uri>}; the image may live on any installed provider. */
  @Override
  public Qcow2FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    Path image = Path.of(Qcow2Uris.FORM.fileSystemInner(uri));
    return open(image, Qcow2Env.parse(env));
  }

  /**
   * Opens the image at {@code path}. A file that is not a qcow2 image gets
   * {@link UnsupportedOperationException}, so that {@code FileSystems.newFileSystem} moves on to
   * the next provider; so does a missing file unless {@code env} asks to create a qcow2 image.
   */
  @Override
  public Qcow2FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
    if (Files.exists(path)) {
      if (!isQcow2(path)) {
        throw new UnsupportedOperationException(path + " is not a qcow2 image");
      }
    } else if (!asksForCreation(env)) {
      throw new UnsupportedOperationException(path + " does not exist, and env does not ask to "
          + "create a qcow2 image (create=true with a size)");
    }
    return open(path, Qcow2Env.parse(env));
  }

  /** A create request that is surely ours: only qcow2 keys, create=true, a size or backing. */
  private static boolean asksForCreation(Map<String, ?> env) {
    if (env == null || !Qcow2Env.KEYS.containsAll(env.keySet())) {
      return false;
    }
    Object create = env.get("create");
    return (Boolean.TRUE.equals(create) || "true".equals(create))
        && (env.containsKey("size") || env.containsKey("backingFile"));
  }

  private static boolean isQcow2(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return false;
    }
    // Through the core's host file: closing it gives back the image locks that this process
    // holds on the file (an image open here already), which any close of a channel drops.
    try (HostFile f = new PathLocation(path).open(false)) {
      ByteBuffer magic = ByteBuffer.allocate(4);
      return f.read(magic, 0) == 4 && magic.getInt(0) == Header.MAGIC;
    }
  }

  private Qcow2FileSystem open(Path image, Qcow2Env env) throws IOException {
    synchronized (fileSystems) {
      return openLocked(image, env);
    }
  }

  private Qcow2FileSystem openLocked(Path image, Qcow2Env env) throws IOException {
    Object key = identity(image);
    if (fileSystems.containsKey(key)) {
      throw new FileSystemAlreadyExistsException(
          "a qcow2 file system is already open on " + key);
    }
    Qcow2Image img;
    boolean writable;
    if (Files.exists(image)) {
      writable = env.writable(
          () -> !image.getFileSystem().isReadOnly() && Files.isWritable(image));
      img = Qcow2Image.open(new PathLocation(image),
          OpenOptions.builder().writable(writable).dataFile(env.dataFile())
              .locking(env.locking()).forceShare(env.forceShare()).build());
    } else {
      if (!env.create()) {
        throw new NoSuchFileException(image.toString());
      }
      if (env.accessMode() == Qcow2Env.AccessMode.READ_ONLY) {
        throw new IllegalArgumentException(
            "create=true writes a new image; it cannot go with accessMode=readOnly");
      }
      writable = true;
      img = Qcow2Image.create(new PathLocation(image), env.createOptions(),
          OpenOptions.builder().writable(true).locking(env.locking()).build());
      key = identity(image);
    }
    Qcow2FileSystem fs = new Qcow2FileSystem(this, image, key, img, !writable);
    fileSystems.put(key, fs);
    return fs;
  }

  private static Object identity(Path image) throws IOException {
    return new PathLocation(image).identity();
  }

  void removeFileSystem(Qcow2FileSystem fs) {
    synchronized (fileSystems) {
      fileSystems.remove(fs.key(), fs);
    }
  }

  /**
   * The open file system of the image at {@code image}: first by the URI the file system reports
   * (which works even when the image's provider cannot turn its own URIs back into paths, as
   * zipfs opened from a Path cannot), then by the real path the URI names.
   */
  private static Qcow2FileSystem find(URI image) {
    synchronized (fileSystems) {
      for (Qcow2FileSystem fs : fileSystems.values()) {
        if (fs.imageUri().equals(image)) {
          return fs;
        }
      }
      try {
        return fileSystems.get(identity(Path.of(image)));
      } catch (IOException | RuntimeException e) {
        // An image URI whose provider or file system is gone names no open qcow2 file system.
        return null;
      }
    }
  }

  /** The open file system of {@code qcow2:<image-uri>} (a path URI with "!/..." works too). */
  @Override
  public Qcow2FileSystem getFileSystem(URI uri) {
    Qcow2FileSystem fs = find(Qcow2Uris.FORM.fileSystemInner(uri));
    if (fs == null && uri.getRawSchemeSpecificPart().contains("!/")) {
      for (NestedUri.Split s : Qcow2Uris.FORM.cuts(uri)) {
        fs = find(s.inner());
        if (fs != null) {
          break;
        }
      }
    }
    if (fs == null) {
      throw new FileSystemNotFoundException("no qcow2 file system is open for " + uri);
    }
    return fs;
  }

  /** The path of {@code qcow2:<image-uri>!/disk}, in the file system already open on the image. */
  @Override
  public Qcow2Path getPath(URI uri) {
    for (NestedUri.Split s : Qcow2Uris.FORM.cuts(uri)) {
      Qcow2FileSystem fs = find(s.inner());
      if (fs != null) {
        return fs.getPath(s.path());
      }
    }
    throw new FileSystemNotFoundException("no qcow2 file system is open for " + uri);
  }

  // ---- files

  @Override
  public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    Qcow2Path p = check(path);
    Qcow2FileSystem fs = p.getFileSystem();
    fs.checkOpen();
    if (attrs.length > 0) {
      throw new UnsupportedOperationException(
          "file attributes cannot be set on a qcow2 file: " + attrs[0].name());
    }
    OpenFlags f = OpenFlags.parse(options,
        "DELETE_ON_CLOSE: the files of a qcow2 file system cannot be deleted");
    Entry e = fs.lookup(p).orElse(null);
    if (e == null) {
      if (!(f.write() && (f.create() || f.createNew()))) {
        throw new NoSuchFileException(p.toString());
      }
      if (fs.isReadOnly()) {
        throw new ReadOnlyFileSystemException();
      }
      throw new AccessDeniedException(p.toString(), null, FIXED_TREE);
    }
    if (f.write() && f.createNew() && !(e.kind() == Entry.Kind.DISK && fs.takeEmptied())) {
      throw new FileAlreadyExistsException(p.toString());
    }
    if (e.isDirectory()) {
      throw new FileSystemException(p.toString(), null, "is a directory");
    }
    if (f.write()) {
      if (fs.isReadOnly()) {
        throw new ReadOnlyFileSystemException();
      }
      if (e.kind() == Entry.Kind.SNAPSHOT) {
        throw new AccessDeniedException(p.toString(), null, "snapshots are read-only");
      }
    }
    VirtualDisk disk = fs.disk(e);
    if (f.truncate()) {
      fs.shrink(disk, 0);
    }
    DiskChannel ch = new DiskChannel(fs, disk, f);
    fs.register(ch);
    return ch;
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) throws IOException {
    Qcow2Path p = check(dir);
    Qcow2FileSystem fs = p.getFileSystem();
    Entry e = fs.entry(p);
    if (!e.isDirectory()) {
      throw new NotDirectoryException(p.toString());
    }
    BatchedDirectoryStream stream =
        BatchedDirectoryStream.of(p, fs.list(e), filter, fs::unregister);
    fs.register(stream);
    return stream;
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    Qcow2Path p = check(dir);
    Qcow2FileSystem fs = p.getFileSystem();
    if (fs.lookup(p).isPresent()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    throw denied(fs, p);
  }

  @Override
  public void delete(Path path) throws IOException {
    Qcow2Path p = check(path);
    Qcow2FileSystem fs = p.getFileSystem();
    if (fs.entry(p).kind() == Entry.Kind.DISK && !fs.isReadOnly()) {
      fs.emptyDisk(); // Files.copy(file, /disk, REPLACE_EXISTING) deletes the target first
      return;
    }
    throw denied(fs, p);
  }

  /** Copies a disk onto /disk (with REPLACE_EXISTING): the disk then reads as the source. */
  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    Qcow2Path s = check(source);
    Qcow2Path t = check(target);
    Entry se = s.getFileSystem().entry(s);
    Entry te = t.getFileSystem().lookup(t).orElse(null);
    boolean replace = false;
    for (CopyOption o : options) {
      if (o == StandardCopyOption.REPLACE_EXISTING) {
        replace = true;
      } else if (o == StandardCopyOption.ATOMIC_MOVE) {
        throw new UnsupportedOperationException("ATOMIC_MOVE on copy");
      }
    }
    if (te != null && !replace) {
      throw new FileAlreadyExistsException(t.toString());
    }
    if (isSameFile(s, t)) {
      return;
    }
    if (te == null || se.isDirectory() || te.isDirectory()) {
      throw denied(t.getFileSystem(), t);
    }
    try (FileChannel in = newFileChannel(s, Set.of(StandardOpenOption.READ));
        FileChannel out = newFileChannel(t,
            Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))) {
      long size = in.size();
      long done = 0;
      while (done < size) {
        done += in.transferTo(done, size - done, out);
      }
    }
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    Qcow2Path s = check(source);
    check(target);
    s.getFileSystem().entry(s);
    throw denied(s.getFileSystem(), s);
  }

  private static IOException denied(Qcow2FileSystem fs, Qcow2Path p) {
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    return new AccessDeniedException(p.toString(), null, FIXED_TREE);
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    if (path.equals(path2)) {
      return true;
    }
    if (!(path instanceof Qcow2Path a) || !(path2 instanceof Qcow2Path b)
        || a.getFileSystem() != b.getFileSystem()) {
      return false;
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  @Override
  public boolean isHidden(Path path) {
    check(path);
    return false;
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    Qcow2Path p = check(path);
    p.getFileSystem().entry(p);
    return p.getFileSystem().store();
  }

  /** Write access holds only for /disk of a read-write file system whose disk can be written. */
  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    Qcow2Path p = check(path);
    Qcow2FileSystem fs = p.getFileSystem();
    Entry e = fs.entry(p);
    for (AccessMode m : modes) {
      switch (m) {
        case READ -> { }
        case WRITE -> {
          if (fs.isReadOnly()) {
            throw new AccessDeniedException(p.toString(), null, "read-only file system");
          }
          if (e.kind() != Entry.Kind.DISK) {
            throw new AccessDeniedException(p.toString(), null,
                e.kind() == Entry.Kind.SNAPSHOT ? "snapshots are read-only" : FIXED_TREE);
          }
          if (!fs.image().disk().isWritable()) {
            throw new AccessDeniedException(p.toString(), null, "the disk cannot be written");
          }
        }
        case EXECUTE -> throw new AccessDeniedException(p.toString(), null,
            "nothing in a qcow2 file system is executable");
        default -> throw new UnsupportedOperationException("access mode " + m);
      }
    }
  }

  // ---- attributes

  @Override
  @SuppressWarnings("unchecked")
  public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
      LinkOption... options) {
    Qcow2Path p = check(path);
    if (type == BasicFileAttributeView.class) {
      return (V) new Qcow2AttributeView(p, "basic");
    }
    if (type == Qcow2FileAttributeView.class) {
      return (V) new Qcow2AttributeView(p, Qcow2FileAttributeView.NAME);
    }
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type,
      LinkOption... options) throws IOException {
    Qcow2Path p = check(path);
    if (type == BasicFileAttributes.class || type == Qcow2FileAttributes.class) {
      return (A) new Qcow2AttributeView(p, Qcow2FileAttributeView.NAME).readAttributes();
    }
    throw new UnsupportedOperationException("attributes " + type.getName()
        + "; a qcow2 file system has basic and qcow2 attributes");
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    return Qcow2AttributeView.readByName(check(path), attributes);
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
      throws IOException {
    Qcow2AttributeView.setByName(check(path), attribute, value);
  }

  private static Qcow2Path check(Path path) {
    return ProviderPaths.own(path, Qcow2Path.class, "a qcow2 path");
  }

}
