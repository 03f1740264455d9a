package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.DirEntry;
import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Superblock;
import io.github.qcow2nio.ext4.read.BlockDevice;
import io.github.qcow2nio.ext4.read.Directory;
import io.github.qcow2nio.ext4.read.FileData;
import io.github.qcow2nio.ext4.read.Volume;
import io.github.qcow2nio.nio.FileSystemRegistry;
import io.github.qcow2nio.nio.NestedFileSystemProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code ext4:} provider: ext2, ext3 and ext4 file systems, read-only, inside a file of any
 * provider (a raw image, a qcow2 image's {@code /disk}, a partition, a zip entry). One file
 * system per device URI at a time.
 */
public final class Ext4FileSystemProvider
    extends NestedFileSystemProvider<Ext4FileSystem, Ext4Path> {
  /** Every open ext4 file system by its device's URI. */
  private static final FileSystemRegistry<Ext4FileSystem> OPEN =
      new FileSystemRegistry<>("an ext4 file system", uri -> uri);

  private static final AttributeViews VIEWS = new AttributeViews(
      Map.of(BasicFileAttributeView.class, "basic", FileOwnerAttributeView.class, "owner",
          PosixFileAttributeView.class, "posix",
          Ext4FileAttributeView.class, Ext4FileAttributeView.NAME,
          UserDefinedFileAttributeView.class, "user"),
      "basic",
      Set.of(BasicFileAttributes.class, PosixFileAttributes.class, Ext4FileAttributes.class),
      "basic, posix and Ext4FileAttributes");

  /** Called by the JDK's provider lookup. */
  public Ext4FileSystemProvider() {
    super(Ext4Uris.FORM, OPEN, Ext4Path.class, "an ext4 path");
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
    return OPEN.open(device, device,
        () -> new Ext4FileSystem(this, device, Volume.open(new BlockDevice(ch), sb)));
  }

  // ---- files

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
    return handOut(fs, new Ext4FileChannel(fs, FileData.of(fs.volume(), inode)));
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
    return directoryStream(fs, p, () -> names(cursor.next()), filter);
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
    String target = new String(fs.resolver().symlinkTarget(inode), StandardCharsets.UTF_8);
    // The kernel ends a target at its first NUL; a NUL inside the stored length is damage, and
    // no Path can hold it.
    if (target.indexOf('\0') >= 0) {
      throw new Ext4CorruptException("symbolic link target of inode " + inode.number(), -1,
          "no NUL byte within its " + target.length() + " characters");
    }
    return fs.getPath(target);
  }

  /** The same inode, whichever names and links lead to it. */
  @Override
  protected boolean sameFile(Ext4Path a, Ext4Path b) throws IOException {
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
    return (Ext4FileStore) super.getFileStore(path);
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
  protected AttributeViews attributeViews() {
    return VIEWS;
  }

  @Override
  protected FileAttributeView view(Ext4Path path, String name, boolean follow) {
    return name.equals("user") ? new XattrView(path, follow) : new InodeView(path, follow, name);
  }

  @Override
  protected Map<String, Object> readByName(Ext4Path path, String attributes, boolean follow)
      throws IOException {
    if (attributes.startsWith("user:")) {
      XattrView view = new XattrView(path, follow);
      String names = attributes.substring("user:".length());
      Map<String, Object> out = new LinkedHashMap<>();
      for (String n : names.equals("*") ? view.list() : List.of(names.split(","))) {
        out.put(n, view.value(n));
      }
      return out;
    }
    return InodeView.readByName(path, attributes, follow);
  }

  @Override
  protected void setByName(Ext4Path path, String attribute, Object value, boolean follow) {
    throw new ReadOnlyFileSystemException();
  }
}
