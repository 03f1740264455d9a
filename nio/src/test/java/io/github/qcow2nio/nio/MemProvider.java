package io.github.qcow2nio.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The smallest provider on the shared base classes: a flat tree of in-memory files, so that the
 * bases' own logic (registry, closing, dispatch, channels) is tested without any format.
 */
final class MemProvider extends NestedFileSystemProvider<MemProvider.MemFileSystem,
    MemProvider.MemPath> {
  static final NestedUri FORM = new NestedUri("mem", "file", "a mem path URI has the form "
      + "mem:<file-uri>!/path", "a mem URI is 'mem:' followed by a URI", false);
  static final FileSystemRegistry<MemFileSystem> OPEN =
      new FileSystemRegistry<>("a mem file system", uri -> uri);
  static final AttributeViews VIEWS = new AttributeViews(
      Map.of(BasicFileAttributeView.class, "basic"), "basic",
      Set.of(BasicFileAttributes.class), "basic attributes");

  /** What each close of a file system did, in order: the tests read it. */
  final List<String> log = new ArrayList<>();

  MemProvider() {
    super(FORM, OPEN, MemPath.class, "a mem path");
  }

  /** Opens a file system on {@code inner}, holding {@code files} (name to bytes). */
  MemFileSystem open(URI inner, Map<String, MemFile> files, boolean readOnly)
      throws IOException {
    return OPEN.open(inner, inner, () -> new MemFileSystem(this, inner, files, readOnly));
  }

  @Override
  public MemFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    return open(FORM.fileSystemInner(uri), Map.of(), false);
  }

  @Override
  public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    MemPath p = check(path);
    MemFileSystem fs = p.getFileSystem();
    MemFile f = fs.file(p);
    return handOut(fs, new MemChannel(fs, f, OpenFlags.parse(options, "no deletes")));
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) {
    MemPath p = check(dir);
    return directoryStream(p.getFileSystem(), p, List.copyOf(p.getFileSystem().files.keySet()),
        filter);
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    throw denied(check(dir).getFileSystem(), dir, "flat");
  }

  @Override
  public void delete(Path path) throws IOException {
    throw denied(check(path).getFileSystem(), path, "fixed");
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    MemPath p = check(path);
    if (p.toAbsolutePath().normalize().getNameCount() > 0) {
      p.getFileSystem().file(p);
    }
  }

  @Override
  protected AttributeViews attributeViews() {
    return VIEWS;
  }

  @Override
  protected FileAttributeView view(MemPath path, String name, boolean follow) {
    return new BasicFileAttributeView() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public BasicFileAttributes readAttributes() {
        return null;
      }

      @Override
      public void setTimes(FileTime m, FileTime a, FileTime c) {}
    };
  }

  @Override
  protected Map<String, Object> readByName(MemPath path, String attributes, boolean follow) {
    return Map.of("asked", attributes, "follow", follow);
  }

  @Override
  protected void setByName(MemPath path, String attribute, Object value, boolean follow) {
    log.add("set " + attribute + "=" + value);
  }

  /** A growable array of bytes; {@code forces} counts the forces. */
  static final class MemFile {
    byte[] bytes;
    int forces;
    /** Whether the file system was open when a channel on this file last closed. */
    Boolean openAtClose;

    MemFile(byte[] bytes) {
      this.bytes = bytes;
    }
  }

  static final class MemFileSystem extends NestedFileSystem<MemPath> {
    final Map<String, MemFile> files;
    final List<Release> releases = new ArrayList<>();
    private final MemStore store = new MemStore(this);

    MemFileSystem(MemProvider provider, URI inner, Map<String, MemFile> files,
        boolean readOnly) {
      super(provider, inner, inner, readOnly);
      this.files = files;
    }

    MemFile file(MemPath p) throws IOException {
      checkOpen();
      String[] n = p.toAbsolutePath().normalize().names();
      MemFile f = n.length == 1 ? files.get(n[0]) : null;
      if (f == null) {
        throw new NoSuchFileException(p.toString());
      }
      return f;
    }

    int open() {
      return openResourceCount();
    }

    @Override
    protected MemPath newPath(boolean absolute, String[] names) {
      return new MemPath(this, absolute, names);
    }

    @Override
    protected MemStore store() {
      return store;
    }

    @Override
    protected List<Release> releases() {
      return releases;
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
      return Set.of("basic");
    }
  }

  static final class MemPath extends NestedPath<MemPath, MemFileSystem> {
    MemPath(MemFileSystem fs, boolean absolute, String[] names) {
      super(fs, absolute, names);
    }

    String[] names() {
      return nameArray();
    }

    @Override
    protected java.nio.file.ProviderMismatchException mismatch(Path other) {
      return new java.nio.file.ProviderMismatchException("not a mem path: " + other);
    }
  }

  static final class MemStore extends NestedFileStore {
    MemStore(MemFileSystem fs) {
      super(fs);
    }

    @Override
    public String name() {
      return "mem";
    }

    @Override
    public String type() {
      return "memory";
    }

    @Override
    public long getTotalSpace() {
      return 0;
    }
  }

  /** A channel on a {@link MemFile}: grows on writes past the end. */
  static final class MemChannel extends PositionalFileChannel {
    private final MemFile file;

    private final MemFileSystem fs;

    MemChannel(MemFileSystem fs, MemFile file, OpenFlags flags) {
      super(fs, flags, false);
      this.fs = fs;
      this.file = file;
    }

    @Override
    protected void implCloseSource() {
      file.openAtClose = fs.isOpen();
    }

    @Override
    protected int implRead(java.nio.ByteBuffer dst, long pos) {
      synchronized (file) {
        if (pos >= file.bytes.length) {
          return dst.hasRemaining() ? -1 : 0;
        }
        int n = (int) Math.min(dst.remaining(), file.bytes.length - pos);
        dst.put(file.bytes, (int) pos, n);
        return n;
      }
    }

    @Override
    protected int implWrite(java.nio.ByteBuffer src, long pos) {
      synchronized (file) {
        int n = src.remaining();
        if (pos + n > file.bytes.length) {
          file.bytes = java.util.Arrays.copyOf(file.bytes, (int) (pos + n));
        }
        src.get(file.bytes, (int) pos, n);
        return n;
      }
    }

    @Override
    protected long implSize() {
      synchronized (file) {
        return file.bytes.length;
      }
    }

    @Override
    protected void implTruncate(long size) {
      synchronized (file) {
        if (size < file.bytes.length) {
          file.bytes = java.util.Arrays.copyOf(file.bytes, (int) size);
        }
      }
    }

    @Override
    protected void implForce(boolean metaData) {
      synchronized (file) {
        file.forces++;
      }
    }

    @Override
    public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException("map");
    }

    @Override
    public java.nio.channels.FileLock lock(long position, long size, boolean shared)
        throws IOException {
      return tryLock(position, size, shared);
    }

    @Override
    public java.nio.channels.FileLock tryLock(long position, long size, boolean shared)
        throws IOException {
      checkLockable(shared);
      return jvmLock(position, size, shared);
    }
  }
}
