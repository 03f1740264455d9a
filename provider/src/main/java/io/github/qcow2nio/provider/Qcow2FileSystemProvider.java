package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.nio.FileSystemRegistry;
import io.github.qcow2nio.nio.NestedFileSystemProvider;
import io.github.qcow2nio.nio.NestedUri;
import io.github.qcow2nio.nio.OpenFlags;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code qcow2:} provider. A file system per open image, found by the image's real path: one
 * image is never open twice at once in this JVM, whichever way it was named and whichever
 * instance of the provider opened it (two writers with caches of their own would corrupt it).
 */
public final class Qcow2FileSystemProvider
    extends NestedFileSystemProvider<Qcow2FileSystem, Qcow2Path> {
  private static final String FIXED_TREE =
      "a qcow2 file system holds only /disk and /snapshots/<name>";

  /** Every open qcow2 file system, by its image's identity. */
  private static final FileSystemRegistry<Qcow2FileSystem> OPEN = new FileSystemRegistry<>(
      "a qcow2 file system", uri -> identity(Path.of(uri)));

  private static final AttributeViews VIEWS = new AttributeViews(
      Map.of(BasicFileAttributeView.class, "basic",
          Qcow2FileAttributeView.class, Qcow2FileAttributeView.NAME),
      Qcow2FileAttributeView.NAME, Set.of(BasicFileAttributes.class, Qcow2FileAttributes.class),
      "basic and qcow2 attributes");

  /**
   * Called by the JDK's provider lookup. Code that wants the installed instance gets it from
   * {@code FileSystemProvider.installedProviders()}; every instance sees the same file systems.
   */
  public Qcow2FileSystemProvider() {
    super(Qcow2Uris.FORM, OPEN, Qcow2Path.class, "a qcow2 path");
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

  /** Whether the header's crypt_method field (bytes 32..35) names an encryption method. */
  private static boolean isEncrypted(Path path) throws IOException {
    try (HostFile f = new PathLocation(path).open(false)) {
      ByteBuffer head = ByteBuffer.allocate(36);
      return f.read(head, 0) == 36 && head.getInt(32) != Header.CRYPT_NONE;
    }
  }

  private Qcow2FileSystem open(Path image, Qcow2Env env) throws IOException {
    Object key = identity(image);
    return OPEN.open(key, key, () -> openImage(image, key, env));
  }

  private Qcow2FileSystem openImage(Path image, Object key, Qcow2Env env) throws IOException {
    try {
      return openImageWithSecret(image, key, env);
    } finally {
      // The env's copy of the passphrase has served once the image and its chain are open.
      if (env.keySecret() != null) {
        env.keySecret().destroy();
      }
    }
  }

  private Qcow2FileSystem openImageWithSecret(Path image, Object key, Qcow2Env env)
      throws IOException {
    Qcow2Image img;
    boolean writable;
    if (Files.exists(image)) {
      writable = env.writable(
          () -> !image.getFileSystem().isReadOnly() && Files.isWritable(image));
      if (writable && env.accessMode() == Qcow2Env.AccessMode.DEFAULT && isEncrypted(image)) {
        // Encrypted images are read-only for now: the default mode follows, an explicit
        // readWrite gets the core's refusal.
        writable = false;
      }
      img = Qcow2Image.open(new PathLocation(image),
          OpenOptions.builder().writable(writable).dataFile(env.dataFile())
              .locking(env.locking()).forceShare(env.forceShare()).keySecret(env.keySecret())
              .referencePolicy(env.referencePolicy(image)).build());
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
          OpenOptions.builder().writable(true).locking(env.locking())
              .referencePolicy(env.referencePolicy(image)).build());
    }
    VirtualDisk compressing = null;
    if (env.compress() && writable) {
      try {
        compressing = img.compressingDisk();
      } catch (IOException | RuntimeException e) {
        try {
          img.close();
        } catch (IOException again) {
          e.addSuppressed(again);
        }
        throw e;
      }
    }
    return new Qcow2FileSystem(this, image, key, img, !writable, compressing);
  }

  private static Object identity(Path image) throws IOException {
    return new PathLocation(image).identity();
  }

  /** The contract cuts at the first "!/"; an image URI holding "!/" itself needs a later cut. */
  @Override
  protected List<NestedUri.Split> pathCuts(URI uri) {
    return Qcow2Uris.FORM.cuts(uri);
  }

  // ---- files

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
      throw denied(fs, p, FIXED_TREE);
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
    return handOut(fs, new DiskChannel(fs, disk, f));
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
    return directoryStream(fs, p, fs.list(e), filter);
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    Qcow2Path p = check(dir);
    Qcow2FileSystem fs = p.getFileSystem();
    if (fs.lookup(p).isPresent()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    throw denied(fs, p, FIXED_TREE);
  }

  @Override
  public void delete(Path path) throws IOException {
    Qcow2Path p = check(path);
    Qcow2FileSystem fs = p.getFileSystem();
    Optional<Entry> e = fs.lookup(p);
    if (e.filter(x -> x.kind() == Entry.Kind.SNAPSHOT).isPresent()) {
      SnapshotFiles.delete(fs, p);
      return;
    }
    if (e.filter(x -> x.kind() == Entry.Kind.DISK).isPresent() && !fs.isReadOnly()) {
      fs.emptyDisk(); // Files.copy(file, /disk, REPLACE_EXISTING) deletes the target first
      return;
    }
    throw refusal(p, FIXED_TREE);
  }

  /**
   * Copies a disk onto /disk (with REPLACE_EXISTING): the disk then reads as the source. Within
   * one file system, /disk onto /snapshots/NAME creates a snapshot, and a snapshot onto /disk
   * reverts to it ({@link SnapshotFiles}).
   */
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
    boolean sameFs = s.getFileSystem() == t.getFileSystem();
    if (sameFs && se.kind() == Entry.Kind.DISK && SnapshotFiles.isSnapshotPath(t)) {
      SnapshotFiles.create(t.getFileSystem(), t, replace);
      return;
    }
    if (te != null && !replace) {
      throw new FileAlreadyExistsException(t.toString());
    }
    if (isSameFile(s, t)) {
      return;
    }
    if (sameFs && se.kind() == Entry.Kind.SNAPSHOT && te != null
        && te.kind() == Entry.Kind.DISK) {
      SnapshotFiles.revert(t.getFileSystem(), s);
      return;
    }
    if (te == null || se.isDirectory() || te.isDirectory()) {
      throw denied(t.getFileSystem(), t, FIXED_TREE);
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
    Qcow2Path t = check(target);
    Qcow2FileSystem fs = s.getFileSystem();
    if (fs == t.getFileSystem() && SnapshotFiles.isSnapshotPath(t)
        && fs.lookup(s).filter(e -> e.kind() == Entry.Kind.SNAPSHOT).isPresent()) {
      boolean replace = false;
      for (CopyOption o : options) {
        // ATOMIC_MOVE holds: a rename is one header write.
        replace |= o == StandardCopyOption.REPLACE_EXISTING;
      }
      SnapshotFiles.rename(fs, s, t, replace);
      return;
    }
    throw refusal(s, FIXED_TREE);
  }

  /** Write access holds only for /disk of a read-write file system whose disk can be written. */
  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    Qcow2Path p = check(path);
    Qcow2FileSystem fs = p.getFileSystem();
    Entry e = fs.entry(p);
    checkModes(p, modes, () -> {
      if (e.kind() != Entry.Kind.DISK) {
        throw new AccessDeniedException(p.toString(), null,
            e.kind() == Entry.Kind.SNAPSHOT ? "snapshots are read-only" : FIXED_TREE);
      }
      if (!fs.image().disk().isWritable()) {
        throw new AccessDeniedException(p.toString(), null, "the disk cannot be written");
      }
    });
  }

  // ---- attributes

  @Override
  protected AttributeViews attributeViews() {
    return VIEWS;
  }

  @Override
  protected Qcow2AttributeView view(Qcow2Path path, String name, boolean follow) {
    return new Qcow2AttributeView(path, name);
  }

  @Override
  protected Map<String, Object> readByName(Qcow2Path path, String attributes, boolean follow)
      throws IOException {
    return Qcow2AttributeView.readByName(path, attributes);
  }

  @Override
  protected void setByName(Qcow2Path path, String attribute, Object value, boolean follow)
      throws IOException {
    Qcow2AttributeView.setByName(path, attribute, value);
  }
}
