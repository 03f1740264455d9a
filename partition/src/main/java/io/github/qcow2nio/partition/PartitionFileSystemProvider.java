package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NestedFileSystemProvider;
import io.github.qcow2nio.nio.OpenFlags;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
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
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code partition:} provider. A file system per open disk file, found by the file's real
 * path: one disk is never open twice at once through this provider (see {@link DiskRegistry}).
 */
public final class PartitionFileSystemProvider
    extends NestedFileSystemProvider<PartitionFileSystem, PartitionPath> {
  private static final String FIXED_TREE =
      "a partition file system holds only the partitions its table lists";

  private static final AttributeViews VIEWS = new AttributeViews(
      Map.of(BasicFileAttributeView.class, "basic",
          PartitionFileAttributeView.class, PartitionFileAttributeView.NAME),
      PartitionFileAttributeView.NAME,
      Set.of(BasicFileAttributes.class, PartitionFileAttributes.class),
      "basic and partition attributes");

  /** Called by the JDK's provider lookup. */
  public PartitionFileSystemProvider() {
    super(PartitionUris.FORM, DiskRegistry.OPEN, PartitionPath.class, "a partition path");
  }

  // ---- file systems

  /**
   * Opens {@code partition:<disk-uri>}; the disk file may live on any installed provider. With
   * {@code create} in env, a table is written first on a disk that has none.
   */
  @Override
  public PartitionFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    Path disk = Path.of(PartitionUris.FORM.fileSystemInner(uri));
    PartitionEnv e = PartitionEnv.parse(env);
    if (e.create() != null) {
      TableCreation.ensureTable(disk, e);
    }
    if (!Files.isRegularFile(disk)) {
      throw new NoSuchFileException(disk.toString(), null, "no disk file to read a table from");
    }
    Optional<PartitionFileSystem> fs = DiskRegistry.open(this, disk, e);
    if (fs.isEmpty()) {
      throw new PartitionTableException("sector 0 of " + disk, 0,
          "an MBR or GPT partition table");
    }
    return fs.get();
  }

  /**
   * Opens the partitions of the disk file at {@code path}. A file that holds no partition table
   * (a whole-disk FAT volume, a qcow2 image, anything else) gets
   * {@link UnsupportedOperationException}, so that {@code FileSystems.newFileSystem} moves on to
   * the next provider; so does a missing file or a directory. An env that asks for a table
   * ({@code create} gpt or mbr, {@code partitions}, for a new file {@code size}) writes one first
   * on a disk that has none.
   */
  @Override
  public PartitionFileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
    if (PartitionEnv.asksForCreation(env)) {
      PartitionEnv e = PartitionEnv.parse(env);
      TableCreation.ensureTable(path, e);
      return DiskRegistry.open(this, path, e).orElseThrow(() ->
          new PartitionTableException("sector 0 of " + path, 0, "the table just written"));
    }
    if (!Files.isRegularFile(path)) {
      throw new UnsupportedOperationException(path + " is not a file holding a partition table");
    }
    PartitionEnv e;
    try {
      e = PartitionEnv.parse(env);
    } catch (IllegalArgumentException bad) {
      // Keys of another provider: only an error if this file is ours after all.
      if (DiskRegistry.probe(path, 0)) {
        throw bad;
      }
      throw new UnsupportedOperationException(path + " holds no partition table");
    }
    if (!DiskRegistry.probe(path, e.sectorSize())) {
      throw new UnsupportedOperationException(path + " holds no partition table");
    }
    return DiskRegistry.open(this, path, e).orElseThrow(() ->
        new UnsupportedOperationException(path + " holds no partition table"));
  }

  // ---- files

  @Override
  public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    PartitionPath p = check(path);
    PartitionFileSystem fs = p.getFileSystem();
    fs.checkOpen();
    if (attrs.length > 0) {
      throw new UnsupportedOperationException(
          "file attributes cannot be set on a partition: " + attrs[0].name());
    }
    OpenFlags f = OpenFlags.parse(options,
        "DELETE_ON_CLOSE: partitions cannot be deleted through the file system");
    PartitionFileSystem.Node n = fs.lookup(p).orElse(null);
    if (n == null) {
      if (!(f.write() && (f.create() || f.createNew()))) {
        throw new NoSuchFileException(p.toString());
      }
      throw denied(fs, p, FIXED_TREE);
    }
    if (f.write() && f.createNew()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    if (n.isDirectory()) {
      throw new FileSystemException(p.toString(), null, "is a directory");
    }
    if (f.write()) {
      if (fs.isReadOnly()) {
        throw new ReadOnlyFileSystemException();
      }
      if (f.append()) {
        throw new UnsupportedOperationException("APPEND: a partition cannot grow");
      }
      if (f.truncate()) {
        throw new FileSystemException(p.toString(), null, "TRUNCATE_EXISTING: a partition's "
            + "size is fixed by its table (open with WRITE alone to overwrite it)");
      }
    }
    return handOut(fs, new PartitionChannel(fs, fs.disk(), n.partition(), f));
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) throws IOException {
    PartitionPath p = check(dir);
    PartitionFileSystem fs = p.getFileSystem();
    if (!fs.node(p).isDirectory()) {
      throw new NotDirectoryException(p.toString());
    }
    return directoryStream(fs, p, fs.names(), filter);
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    PartitionPath p = check(dir);
    PartitionFileSystem fs = p.getFileSystem();
    if (fs.lookup(p).isPresent()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    throw denied(fs, p, FIXED_TREE);
  }

  @Override
  public void delete(Path path) throws IOException {
    throw refusal(check(path), FIXED_TREE);
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    PartitionPath s = check(source);
    PartitionPath t = check(target);
    s.getFileSystem().node(s);
    throw denied(t.getFileSystem(), t, FIXED_TREE);
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    PartitionPath s = check(source);
    check(target);
    throw refusal(s, FIXED_TREE);
  }

  /** Write access holds for the partitions of a read-write file system. */
  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    PartitionPath p = check(path);
    PartitionFileSystem fs = p.getFileSystem();
    PartitionFileSystem.Node n = fs.node(p);
    checkModes(p, modes, () -> {
      if (n.isDirectory()) {
        throw new AccessDeniedException(p.toString(), null, FIXED_TREE);
      }
    });
  }

  // ---- attributes

  @Override
  protected AttributeViews attributeViews() {
    return VIEWS;
  }

  @Override
  protected PartitionAttributeView view(PartitionPath path, String name, boolean follow) {
    return new PartitionAttributeView(path, name);
  }

  @Override
  protected Map<String, Object> readByName(PartitionPath path, String attributes,
      boolean follow) throws IOException {
    return PartitionAttributeView.readByName(path, attributes);
  }

  @Override
  protected void setByName(PartitionPath path, String attribute, Object value, boolean follow)
      throws IOException {
    PartitionAttributeView.setByName(path, attribute, value);
  }
}
