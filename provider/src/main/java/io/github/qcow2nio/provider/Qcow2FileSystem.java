package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.nio.OpenResources;
import io.github.qcow2nio.nio.PathMatchers;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file system of one open qcow2 image. Closing it closes every channel and stream opened on
 * it, then the image and every file the image opened.
 */
public final class Qcow2FileSystem extends FileSystem {
  private final Qcow2FileSystemProvider provider;
  private final Path imagePath;
  private final Object key;
  private final URI imageUri;
  private final Qcow2Image image;
  private final boolean readOnly;
  private final Qcow2Path root;
  private final Qcow2FileStore store;
  private final OpenResources resources = new OpenResources();
  private final Map<String, VirtualDisk> snapshotDisks = new ConcurrentHashMap<>();
  private final java.util.concurrent.locks.ReentrantReadWriteLock resizeLock =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private volatile DiskExtents activeExtents;
  private volatile boolean emptied;

  Qcow2FileSystem(Qcow2FileSystemProvider provider, Path imagePath, Object key, Qcow2Image image,
      boolean readOnly) {
    this.provider = provider;
    this.imagePath = imagePath;
    this.key = key;
    this.imageUri = imagePath.toUri();
    this.image = image;
    this.readOnly = readOnly;
    this.root = new Qcow2Path(this, true, new String[0]);
    this.store = new Qcow2FileStore(this);
  }

  @Override
  public Qcow2FileSystemProvider provider() {
    return provider;
  }

  /** The open image: header, snapshots, disks. */
  public Qcow2Image image() {
    return image;
  }

  /** Where the image file lives, on its own provider. */
  public Path imagePath() {
    return imagePath;
  }

  URI imageUri() {
    return imageUri;
  }

  Object key() {
    return key;
  }

  Qcow2Path root() {
    return root;
  }

  @Override
  public void close() throws IOException {
    if (!resources.markClosed()) {
      return;
    }
    IOException failure = null;
    try {
      failure = resources.closeAll(null);
      if (!readOnly && image.disk().isWritable()) {
        try {
          image.disk().flush();
        } catch (IOException e) {
          failure = add(failure, e);
        }
      }
      for (VirtualDisk d : snapshotDisks.values()) {
        try {
          d.close();
        } catch (IOException e) {
          failure = add(failure, e);
        }
      }
      try {
        image.close();
      } catch (IOException e) {
        failure = add(failure, e);
      }
    } finally {
      provider.removeFileSystem(this);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static IOException add(IOException first, IOException next) {
    return OpenResources.add(first, next);
  }

  @Override
  public boolean isOpen() {
    return resources.isOpen();
  }

  @Override
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    checkOpen();
    return List.of(root);
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    checkOpen();
    return List.of(store);
  }

  Qcow2FileStore store() {
    return store;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", Qcow2FileAttributeView.NAME);
  }

  @Override
  public Qcow2Path getPath(String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(m);
      }
    }
    return Qcow2Path.parse(this, sb.toString());
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    return PathMatchers.of(syntaxAndPattern, 0);
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException("a qcow2 file system has no users");
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("a qcow2 file system cannot be watched");
  }

  @Override
  public String toString() {
    return Qcow2Uris.FORM.fileSystemUri(imageUri).toString();
  }

  // ---- the tree

  void checkOpen() {
    resources.checkOpen();
  }

  /** The entry at {@code path}, or empty when there is none. */
  Optional<Entry> lookup(Qcow2Path path) {
    checkOpen();
    String[] n = path.toAbsolutePath().normalize().names();
    if (n.length == 0) {
      return Optional.of(Entry.ROOT);
    }
    if (n.length == 1) {
      return switch (n[0]) {
        case Entry.DISK_NAME -> Optional.of(Entry.DISK);
        case Entry.SNAPSHOTS_NAME -> Optional.of(Entry.SNAPSHOTS);
        default -> Optional.empty();
      };
    }
    if (n.length == 2 && n[0].equals(Entry.SNAPSHOTS_NAME) && snapshotNames().contains(n[1])) {
      return Optional.of(new Entry(Entry.Kind.SNAPSHOT, n[1]));
    }
    return Optional.empty();
  }

  Entry entry(Qcow2Path path) throws NoSuchFileException {
    return lookup(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
  }

  /** The snapshots' names that can be file names, in table order (names are unique per image). */
  List<String> snapshotNames() {
    List<String> names = new ArrayList<>();
    for (SnapshotEntry s : image.snapshots()) {
      String name = s.name();
      if (!name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..")
          && name.indexOf('\0') < 0 && !names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** The names in a directory entry. */
  List<String> list(Entry dir) {
    return switch (dir.kind()) {
      case ROOT -> List.of(Entry.DISK_NAME, Entry.SNAPSHOTS_NAME);
      case SNAPSHOTS -> snapshotNames();
      default -> List.of();
    };
  }

  VirtualDisk disk(Entry e) throws IOException {
    return switch (e.kind()) {
      case DISK -> image.disk();
      case SNAPSHOT -> {
        VirtualDisk d = snapshotDisks.get(e.snapshot());
        if (d == null) {
          synchronized (snapshotDisks) {
            d = snapshotDisks.get(e.snapshot());
            if (d == null) {
              d = image.snapshotDisk(e.snapshot());
              snapshotDisks.put(e.snapshot(), d);
            }
          }
        }
        yield d;
      }
      default -> throw new IllegalStateException("not a disk: " + e);
    };
  }

  /** True when {@code disk} may be written here: the active disk of a read-write file system. */
  boolean isWritableDisk(VirtualDisk disk) {
    return !readOnly && disk == image.disk() && disk.isWritable();
  }

  // ---- open channels and streams

  void register(Closeable c) {
    resources.register(c);
  }

  void unregister(Closeable c) {
    resources.unregister(c);
  }

  int openCount() {
    return resources.count();
  }

  // ---- resizing through channels

  /**
   * Writes {@code src} at {@code pos}, growing the disk first when the write ends past it. A
   * truncate must not slip in between the grow and the write (the write would then fall past the
   * end): writes inside the disk share the resize lock, a growing write holds it alone.
   */
  void writeGrowing(VirtualDisk disk, ByteBuffer src, long pos) throws IOException {
    long end = pos + src.remaining();
    if (DiskExtents.isZero(src)) {
      // Imports stay sparse: zeros become write-zeros, or nothing where the disk reads zeros.
      zeroGrowing(disk, pos, end);
      src.position(src.limit());
      return;
    }
    resizeLock.readLock().lock();
    try {
      if (end <= disk.size()) {
        disk.write(src, pos);
        return;
      }
    } finally {
      resizeLock.readLock().unlock();
    }
    resizeLock.writeLock().lock();
    try {
      if (end > disk.size()) {
        disk.resize((end + 511) & ~511L);
      }
      disk.write(src, pos);
    } finally {
      resizeLock.writeLock().unlock();
    }
  }

  private void zeroGrowing(VirtualDisk disk, long pos, long end) throws IOException {
    boolean grow = end > disk.size();
    java.util.concurrent.locks.Lock lock = grow ? resizeLock.writeLock() : resizeLock.readLock();
    lock.lock();
    try {
      if (end > disk.size()) {
        disk.resize((end + 511) & ~511L);
      }
      if (!extents(disk).readsZeros(pos, end - pos)) {
        disk.writeZeros(pos, end - pos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Block status through {@code disk}'s backing chain. */
  DiskExtents extents(VirtualDisk disk) {
    DiskExtents e = activeExtents;
    if (disk != image.disk()) {
      return DiskExtents.of(disk, image);
    }
    if (e == null) {
      e = DiskExtents.of(disk, image);
      activeExtents = e;
    }
    return e;
  }

  /**
   * {@code Files.delete(/disk)}: empties the disk (size 0, every cluster discarded) and lets the
   * next {@code CREATE_NEW} open make it anew, which is how {@code Files.copy(file, /disk,
   * REPLACE_EXISTING)} replaces a disk from another provider.
   */
  void emptyDisk() throws IOException {
    shrink(image.disk(), 0);
    emptied = true;
  }

  /** Whether the disk was emptied by a delete and not opened with CREATE_NEW since. */
  synchronized boolean takeEmptied() {
    boolean e = emptied;
    emptied = false;
    return e;
  }

  /**
   * Shrinks {@code disk} to {@code size} bytes, dropping the data past it: a truncate asks for
   * exactly that. The core's other rules stand (whole sectors, no shrink under snapshots).
   */
  void shrink(VirtualDisk disk, long size) throws IOException {
    resizeLock.writeLock().lock();
    try {
      if (size < disk.size()) {
        disk.resize(size, true);
      }
    } finally {
      resizeLock.writeLock().unlock();
    }
  }
}
