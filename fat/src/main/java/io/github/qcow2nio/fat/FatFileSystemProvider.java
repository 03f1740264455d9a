package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.BootSector;
import io.github.qcow2nio.fat.volume.Device;
import io.github.qcow2nio.fat.volume.FatVolume;
import io.github.qcow2nio.fat.volume.FileHandle;
import io.github.qcow2nio.fat.volume.Node;
import io.github.qcow2nio.nio.FileSystemRegistry;
import io.github.qcow2nio.nio.NestedFileSystemProvider;
import io.github.qcow2nio.nio.OpenFlags;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code fat:} provider. A file system per open volume file, found by the file's URI: one
 * file is never mounted twice at once by this provider (two FAT caches would corrupt it).
 */
public final class FatFileSystemProvider
    extends NestedFileSystemProvider<FatFileSystem, FatPath> {
  /** Open file systems by the URI of their file. */
  private static final FileSystemRegistry<FatFileSystem> OPEN =
      new FileSystemRegistry<>("a FAT file system", uri -> uri);

  private static final AttributeViews VIEWS = new AttributeViews(
      Map.of(BasicFileAttributeView.class, "basic", DosFileAttributeView.class, "dos"),
      "dos", Set.of(BasicFileAttributes.class, DosFileAttributes.class),
      "basic and dos attributes");

  /** Called by the JDK's provider lookup. */
  public FatFileSystemProvider() {
    super(FatUris.FORM, OPEN, FatPath.class, "a FAT path");
  }

  // ---- file systems

  /** Opens {@code fat:<file-uri>}; a file that holds no FAT volume is an IOException. */
  @Override
  public FatFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    Path file = Path.of(FatUris.FORM.fileSystemInner(uri));
    try {
      return newFileSystem(file, env);
    } catch (UnsupportedOperationException e) {
      throw new FatException(e.getMessage());
    }
  }

  /**
   * Mounts the FAT volume in {@code path}, a file of any provider. Anything but a FAT volume
   * (including a partitioned disk) gets {@link UnsupportedOperationException}, so that
   * {@code FileSystems.newFileSystem} moves on to the next provider; a volume whose boot sector
   * says FAT but is damaged gets a {@link FatException}.
   */
  @Override
  public FatFileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new UnsupportedOperationException(path + " is not a file holding a FAT volume");
    }
    ByteBuffer first = ByteBuffer.allocate(BootSector.SIZE);
    try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ)) {
      while (first.hasRemaining() && ch.read(first) >= 0) {
        // a channel may return short reads
      }
    }
    if (first.hasRemaining() || !BootSector.looksLikeFat(first)) {
      if (!first.hasRemaining() && BootSector.claimsFat(first)) {
        // parse names what is wrong
        BootSector.parse(first, Long.MAX_VALUE);
      }
      throw new UnsupportedOperationException(path + " holds no FAT volume");
    }
    FatEnv e = FatEnv.parse(env);
    boolean writable = e.readWrite() != null ? e.readWrite()
        : !path.getFileSystem().isReadOnly() && Files.isWritable(path);
    URI uri = path.toUri();
    return OPEN.open(uri, uri, () -> {
      SeekableByteChannel ch = writable ? readWrite(path, e.readWrite() != null) : null;
      boolean canWrite = ch != null;
      if (ch == null) {
        ch = Files.newByteChannel(path, StandardOpenOption.READ);
      }
      Device device = new Device(ch, canWrite);
      FatVolume volume;
      try {
        volume = FatVolume.mount(device);
      } catch (IOException | RuntimeException ex) {
        ch.close();
        throw ex;
      }
      return new FatFileSystem(this, path, uri, device, volume, !canWrite);
    });
  }

  /**
   * A channel that reads and writes {@code path} in place, or null when its provider cannot give
   * one and read-write was not asked for. zipfs cannot: its write channel starts empty and
   * replaces the entry when closed, so it is never opened for writing (even a probe would
   * destroy the volume).
   */
  private static SeekableByteChannel readWrite(Path path, boolean asked) throws IOException {
    if (path.getFileSystem().provider().getScheme().equals("jar")) {
      if (asked) {
        throw new FatException("zipfs cannot read and write " + path
            + " in place; use accessMode=readOnly");
      }
      return null;
    }
    return Files.newByteChannel(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  // ---- files

  void checkWritable(FatFileSystem fs) {
    fs.checkOpen();
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
  }

  @Override
  public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    FatPath p = check(path);
    FatFileSystem fs = p.getFileSystem();
    fs.checkOpen();
    if (attrs.length > 0) {
      throw new UnsupportedOperationException(
          "file attributes cannot be set when a FAT file is created: " + attrs[0].name());
    }
    // FAT can delete, so DELETE_ON_CLOSE is kept; CREATE counts only when writing.
    OpenFlags f = OpenFlags.parse(options, null).createOnlyWhenWriting();
    if (f.write()) {
      checkWritable(fs);
    }
    String[] names = FatFileSystem.names(p);
    FatVolume v = fs.volume();
    Node n;
    synchronized (v) {
      try {
        n = v.lookup(names);
        if (f.createNew()) {
          throw new FileAlreadyExistsException(p.toString());
        }
      } catch (NoSuchFileException missing) {
        if (!(f.create() || f.createNew())) {
          throw missing;
        }
        n = v.create(names, false, Instant.now());
      }
      if (n.isDirectory()) {
        throw new FileSystemException(p.toString(), null, "is a directory");
      }
      if (f.write() && (n.entry().attributes() & 1) != 0) {
        throw new AccessDeniedException(p.toString(), null, "the file is read-only");
      }
      FileHandle h = v.open(n, p.toString());
      try {
        if (f.truncate()) {
          v.io().truncate(h, 0, Instant.now());
        }
        return handOut(fs, new FatFileChannel(fs, h, f, p));
      } catch (IOException | RuntimeException e) {
        v.close(h);
        throw e;
      }
    }
  }

  @Override
  public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
    for (OpenOption o : options) {
      if (o == StandardOpenOption.APPEND || o == StandardOpenOption.WRITE) {
        throw new UnsupportedOperationException("'" + o + "' not allowed");
      }
    }
    return Channels.newInputStream(newByteChannel(path, Set.of(options)));
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) throws IOException {
    FatPath p = check(dir);
    FatFileSystem fs = p.getFileSystem();
    List<String> names = new ArrayList<>();
    for (Node n : fs.volume().list(FatFileSystem.names(p))) {
      names.add(n.name());
    }
    return directoryStream(fs, p, names, filter);
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    FatPath p = check(dir);
    checkWritable(p.getFileSystem());
    String[] names = FatFileSystem.names(p);
    if (names.length == 0) {
      throw new FileAlreadyExistsException("/");
    }
    p.getFileSystem().volume().create(names, true, Instant.now());
  }

  @Override
  public void delete(Path path) throws IOException {
    FatPath p = check(path);
    checkWritable(p.getFileSystem());
    p.getFileSystem().volume().delete(FatFileSystem.names(p));
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    new FatCopier(this).copy(check(source), check(target), options);
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    new FatCopier(this).move(check(source), check(target), options);
  }

  /** The same entry, whatever case or "." and ".." the paths are written in. */
  @Override
  protected boolean sameFile(FatPath a, FatPath b) throws IOException {
    FatVolume v = a.getFileSystem().volume();
    Node na = v.lookup(FatFileSystem.names(a));
    Node nb;
    try {
      nb = v.lookup(FatFileSystem.names(b));
    } catch (NoSuchFileException | NotDirectoryException e) {
      return false;
    }
    return na.key().equals(nb.key());
  }

  @Override
  public boolean isHidden(Path path) throws IOException {
    return readAttributes(path, DosFileAttributes.class).isHidden();
  }

  /** WRITE fails on a read-only file system or a file with the read-only attribute. */
  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    FatPath p = check(path);
    FatFileSystem fs = p.getFileSystem();
    Node n = fs.volume().lookup(FatFileSystem.names(p));
    for (AccessMode m : modes) {
      if (m == AccessMode.WRITE) {
        if (fs.isReadOnly()) {
          throw new AccessDeniedException(p.toString(), null, "read-only file system");
        }
        if (!n.isRoot() && (n.entry().attributes() & 1) != 0 && !n.isDirectory()) {
          throw new AccessDeniedException(p.toString(), null, "the file is read-only");
        }
      }
    }
  }

  // ---- attributes

  @Override
  protected AttributeViews attributeViews() {
    return VIEWS;
  }

  @Override
  protected FatAttributeView view(FatPath path, String name, boolean follow) {
    return new FatAttributeView(path, name);
  }

  @Override
  protected Map<String, Object> readByName(FatPath path, String attributes, boolean follow)
      throws IOException {
    return FatAttributeView.readByName(path, attributes);
  }

  @Override
  protected void setByName(FatPath path, String attribute, Object value, boolean follow)
      throws IOException {
    FatAttributeView.setByName(path, attribute, value);
  }
}
