package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.DirEntry;
import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Superblock;
import io.github.qcow2nio.ext4.read.BlockDevice;
import io.github.qcow2nio.ext4.read.Directory;
import io.github.qcow2nio.ext4.read.FileData;
import io.github.qcow2nio.ext4.read.Volume;
import io.github.qcow2nio.nio.BatchedDirectoryStream;
import io.github.qcow2nio.nio.NestedUri;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.github.qcow2nio.nio.ProviderPaths;

/**
 * The {@code ext4:} provider: ext2, ext3 and ext4 file systems, read-only, inside a file of any
 * provider (a raw image, a qcow2 image's {@code /disk}, a partition, a zip entry). One file
 * system per device URI at a time.
 */
public final class Ext4FileSystemProvider extends FileSystemProvider {
  /** Every open ext4 file system by its device's URI. Guarded by itself. */
  private static final Map<URI, Ext4FileSystem> fileSystems = new HashMap<>();

  /** Called by the JDK's provider lookup. */
  public Ext4FileSystemProvider() {}

  @Override
  public String getScheme() {
    return Ext4Uris.SCHEME;
  }

  static boolean follow(LinkOption... options) {
    for (LinkOption o : options) {
      if (o == LinkOption.NOFOLLOW_LINKS) {
        return false;
      }
    }
    return true;
  }

  // ---- file systems

  /** Opens {@code ext4:<device-uri>}; the device is a file on any installed provider. */
  @Override
  public Ext4FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    Devices.checkEnv(env);
    URI device = Ext4Uris.FORM.fileSystemInner(uri);
    Path path = Path.of(device);
    SeekableByteChannel ch = Devices.open(path);
    Superblock sb;
    try {
      sb = Superblock.parse(Devices.superblockBytes(ch));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return open(device, ch, sb);
  }

  /**
   * Opens the file system in the file at {@code path}. Bytes that are not an ext2/3/4 file
   * system (no magic 0xEF53, or nonsense geometry) get {@link UnsupportedOperationException}, so
   * that {@code FileSystems.newFileSystem} moves on to the next provider.
   */
  @Override
  public Ext4FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
    if (Files.isDirectory(path)) {
      throw new UnsupportedOperationException(path + " is a directory, not an ext4 device");
    }
    SeekableByteChannel ch = Devices.open(path);
    try {
      Superblock sb = Superblock.probe(Devices.superblockBytes(ch)).orElse(null);
      if (sb == null) {
        throw new UnsupportedOperationException(path + " holds no ext2/ext3/ext4 file system");
      }
      Devices.checkEnv(env);
      return open(path.toUri(), ch, sb);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private Ext4FileSystem open(URI device, SeekableByteChannel ch, Superblock sb)
      throws IOException {
    synchronized (fileSystems) {
      if (fileSystems.containsKey(device)) {
        throw new FileSystemAlreadyExistsException("an ext4 file system is already open on "
            + device);
      }
      Volume volume = Volume.open(new BlockDevice(ch), sb);
      Ext4FileSystem fs = new Ext4FileSystem(this, device, volume);
      fileSystems.put(device, fs);
      return fs;
    }
  }

  void removeFileSystem(Ext4FileSystem fs) {
    synchronized (fileSystems) {
      fileSystems.remove(fs.deviceUri(), fs);
    }
  }

  @Override
  public Ext4FileSystem getFileSystem(URI uri) {
    URI whole = Ext4Uris.FORM.fileSystemInner(uri);
    synchronized (fileSystems) {
      Ext4FileSystem fs = fileSystems.get(whole);
      if (fs == null && uri.getRawSchemeSpecificPart().contains("!/")) {
        fs = fileSystems.get(Ext4Uris.FORM.lastCut(uri).inner());
      }
      if (fs == null) {
        throw new FileSystemNotFoundException("no ext4 file system is open for " + uri);
      }
      return fs;
    }
  }

  /** The path of {@code ext4:<device-uri>!/path}, cut at the last "!/". */
  @Override
  public Ext4Path getPath(URI uri) {
    NestedUri.Split s = Ext4Uris.FORM.lastCut(uri);
    Ext4FileSystem fs;
    synchronized (fileSystems) {
      fs = fileSystems.get(s.inner());
    }
    if (fs == null) {
      throw new FileSystemNotFoundException("no ext4 file system is open for " + uri);
    }
    return fs.getPath(s.path());
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
    Ext4Path p = check(path);
    Ext4FileSystem fs = p.getFileSystem();
    for (OpenOption o : options) {
      if (o == StandardOpenOption.WRITE || o == StandardOpenOption.APPEND
          || o == StandardOpenOption.CREATE || o == StandardOpenOption.CREATE_NEW
          || o == StandardOpenOption.DELETE_ON_CLOSE || o == StandardOpenOption.TRUNCATE_EXISTING) {
        throw new ReadOnlyFileSystemException();
      }
    }
    if (attrs.length > 0) {
      throw new ReadOnlyFileSystemException();
    }
    Inode inode = fs.inode(p, !options.contains(LinkOption.NOFOLLOW_LINKS));
    if (inode.isDirectory()) {
      throw new FileSystemException(p.toString(), null, "is a directory");
    }
    if (inode.isSymlink()) {
      throw new FileSystemException(p.toString(), null,
          "is a symbolic link (opened with NOFOLLOW_LINKS)");
    }
    if (!inode.isRegularFile()) {
      throw new FileSystemException(p.toString(), null, "is a device, FIFO or socket; only "
          + "regular files have bytes in an ext4 file system");
    }
    Ext4FileChannel ch = new Ext4FileChannel(fs, FileData.of(fs.volume(), inode));
    fs.register(ch);
    return ch;
  }

  /** A block's entries as names; null (no more blocks) stays null. */
  private static List<String> names(List<DirEntry> block) {
    if (block == null) {
      return null;
    }
    List<String> out = new ArrayList<>(block.size());
    for (DirEntry e : block) {
      out.add(new String(e.name(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) throws IOException {
    Ext4Path p = check(dir);
    Ext4FileSystem fs = p.getFileSystem();
    Inode inode = fs.inode(p, true);
    if (!inode.isDirectory()) {
      throw new NotDirectoryException(p.toString());
    }
    Directory.Cursor cursor = Directory.of(fs.volume(), inode).cursor();
    BatchedDirectoryStream stream =
        new BatchedDirectoryStream(p, () -> names(cursor.next()), filter, fs::unregister);
    fs.register(stream);
    return stream;
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) {
    check(dir);
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) {
    check(link);
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void createLink(Path link, Path existing) {
    check(link);
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void delete(Path path) {
    check(path);
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) {
    check(target);
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) {
    check(source);
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public Path readSymbolicLink(Path link) throws IOException {
    Ext4Path p = check(link);
    Ext4FileSystem fs = p.getFileSystem();
    Inode inode = fs.inode(p, false);
    if (!inode.isSymlink()) {
      throw new NotLinkException(p.toString());
    }
    return fs.getPath(new String(fs.resolver().symlinkTarget(inode), StandardCharsets.UTF_8));
  }

  /** The same inode, whichever names and links lead to it. */
  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    if (path.equals(path2)) {
      return true;
    }
    if (!(path instanceof Ext4Path a) || !(path2 instanceof Ext4Path b)
        || a.getFileSystem() != b.getFileSystem()) {
      return false;
    }
    return a.getFileSystem().inode(a, true).number() == b.getFileSystem().inode(b, true).number();
  }

  /** Names starting with "." are hidden, as on Unix. */
  @Override
  public boolean isHidden(Path path) {
    Ext4Path name = check(path).getFileName();
    return name != null && name.toString().startsWith(".");
  }

  @Override
  public Ext4FileStore getFileStore(Path path) throws IOException {
    Ext4Path p = check(path);
    p.getFileSystem().inode(p, true);
    return p.getFileSystem().store();
  }

  /**
   * Checks as the superuser would on a read-only mount: the file must exist; reading is allowed,
   * writing never, executing when any execute bit is set (or for a directory).
   */
  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    Ext4Path p = check(path);
    Inode inode = p.getFileSystem().inode(p, true);
    for (AccessMode m : modes) {
      switch (m) {
        case READ -> { }
        case WRITE -> throw new AccessDeniedException(p.toString(), null,
            "read-only file system");
        case EXECUTE -> {
          if (!inode.isDirectory() && (inode.mode() & 0111) == 0) {
            throw new AccessDeniedException(p.toString(), null, "no execute permission");
          }
        }
        default -> throw new UnsupportedOperationException("access mode " + m);
      }
    }
  }

  // ---- attributes

  @Override
  @SuppressWarnings("unchecked")
  public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
      LinkOption... options) {
    Ext4Path p = check(path);
    boolean follow = follow(options);
    if (type == BasicFileAttributeView.class) {
      return (V) new InodeView(p, follow, "basic");
    }
    if (type == FileOwnerAttributeView.class) {
      return (V) new InodeView(p, follow, "owner");
    }
    if (type == PosixFileAttributeView.class) {
      return (V) new InodeView(p, follow, "posix");
    }
    if (type == Ext4FileAttributeView.class) {
      return (V) new InodeView(p, follow, Ext4FileAttributeView.NAME);
    }
    if (type == UserDefinedFileAttributeView.class) {
      return (V) new XattrView(p, follow);
    }
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type,
      LinkOption... options) throws IOException {
    Ext4Path p = check(path);
    if (type == BasicFileAttributes.class || type == PosixFileAttributes.class
        || type == Ext4FileAttributes.class) {
      return (A) new InodeView(p, follow(options), "basic").readAttributes();
    }
    throw new UnsupportedOperationException("attributes " + type.getName()
        + "; an ext4 file system has basic, posix and Ext4FileAttributes");
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    Ext4Path p = check(path);
    if (attributes.startsWith("user:")) {
      XattrView view = new XattrView(p, follow(options));
      String names = attributes.substring("user:".length());
      Map<String, Object> out = new LinkedHashMap<>();
      for (String n : names.equals("*") ? view.list() : java.util.List.of(names.split(","))) {
        out.put(n, view.value(n));
      }
      return out;
    }
    return InodeView.readByName(p, attributes, follow(options));
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
    check(path);
    throw new ReadOnlyFileSystemException();
  }

  private static Ext4Path check(Path path) {
    return ProviderPaths.own(path, Ext4Path.class, "an ext4 path");
  }
}
