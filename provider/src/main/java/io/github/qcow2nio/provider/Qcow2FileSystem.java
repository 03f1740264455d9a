package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.nio.NestedFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The file system of one open qcow2 image. Closing it closes every channel and stream opened on
 * it, then flushes the active disk and closes the snapshots' disks, the image and every file the
 * image opened.
 */
public final class Qcow2FileSystem extends NestedFileSystem<Qcow2Path> {
  private final Path imagePath;
  private final Qcow2Image image;
  private final Qcow2FileStore store;
  private final Map<String, VirtualDisk> snapshotDisks = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock resizeLock = new ReentrantReadWriteLock();
  /** With env {@code compress=true}: writes to {@code /disk} go through it (else null). */
  private final VirtualDisk compressing;
  private volatile DiskExtents activeExtents;
  private volatile boolean emptied;

  Qcow2FileSystem(Qcow2FileSystemProvider provider, Path imagePath, Object key, Qcow2Image image,
      boolean readOnly, VirtualDisk compressing) {
    super(provider, imagePath.toUri(), key, readOnly);
    this.compressing = compressing;
    this.imagePath = imagePath;
    this.image = image;
    this.store = new Qcow2FileStore(this);
  }

  @Override
  public Qcow2FileSystemProvider provider() {
    return (Qcow2FileSystemProvider) super.provider();
  }

  /** The open image: header, snapshots, disks. */
  public Qcow2Image image() {
    return image;
  }

  /** Where the image file lives, on its own provider. */
  public Path imagePath() {
    return imagePath;
  }

  @Override
  protected Qcow2Path newPath(boolean absolute, String[] names) {
    return new Qcow2Path(this, absolute, names);
  }

  @Override
  protected Qcow2FileStore store() {
    return store;
  }

  @Override
  protected List<Release> releases() {
    List<Release> steps = new ArrayList<>();
    if (compressing != null) {
      steps.add(compressing::close);
    }
    if (!isReadOnly() && image.disk().isWritable()) {
      steps.add(() -> image.disk().flush());
    }
    for (VirtualDisk d : snapshotDisks.values()) {
      steps.add(d::close);
    }
    steps.add(image::close);
    return steps;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", Qcow2FileAttributeView.NAME);
  }

  int openCount() {
    return openResourceCount();
  }

  // ---- the tree

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
    if (n.length == 2 && n[0].equals(Entry.SNAPSHOTS_NAME) && snapshotId(n[1]) != null) {
      return Optional.of(new Entry(Entry.Kind.SNAPSHOT, n[1]));
    }
    return Optional.empty();
  }

  Entry entry(Qcow2Path path) throws NoSuchFileException {
    return lookup(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
  }

  /** The snapshots' names that can be file names, in table order (names are unique per image). */
  List<String> snapshotNames() {
    return snapshotIndex().names();
  }

  /** The ID of the snapshot whose file name is {@code name}, or null when none is. */
  String snapshotId(String name) {
    return snapshotIndex().ids().get(name);
  }

  /**
   * The snapshot table as file names, built once per table: every path under /snapshots looks
   * its name up, and an image may hold 65,536 snapshots (a scan per lookup made reading them all
   * quadratic).
   */
  private SnapshotIndex snapshotIndex() {
    List<SnapshotEntry> table = image.snapshots();
    SnapshotIndex index = snapshotIndex;
    if (index != null && index.table() == table) {
      return index;
    }
    Map<String, String> ids = new java.util.LinkedHashMap<>();
    for (SnapshotEntry s : table) {
      String name = s.name();
      if (!name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..")
          && name.indexOf('\0') < 0) {
        ids.putIfAbsent(name, s.id());
      }
    }
    index = new SnapshotIndex(table, List.copyOf(ids.keySet()), ids);
    snapshotIndex = index;
    return index;
  }

  private record SnapshotIndex(List<SnapshotEntry> table, List<String> names,
      Map<String, String> ids) {}

  private volatile SnapshotIndex snapshotIndex;

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

  /** A snapshot was deleted: its cached disk goes. */
  void forgetSnapshotDisk(String name) {
    snapshotDisks.remove(name);
  }

  /** A snapshot was renamed: its disk (unchanged, perhaps open) goes with the name. */
  void renameSnapshotDisk(String from, String to) {
    VirtualDisk d = snapshotDisks.remove(from);
    if (d != null) {
      snapshotDisks.put(to, d);
    }
  }

  /** Counts channels open on snapshots' disks, so that an open snapshot is never deleted. */
  private final Map<VirtualDisk, Integer> openSnapshotChannels = new java.util.HashMap<>();

  void channelOpened(VirtualDisk disk) {
    if (disk != image.disk()) {
      synchronized (openSnapshotChannels) {
        openSnapshotChannels.merge(disk, 1, Integer::sum);
      }
    }
  }

  void channelClosed(VirtualDisk disk) {
    synchronized (openSnapshotChannels) {
      openSnapshotChannels.computeIfPresent(disk, (d, n) -> n == 1 ? null : n - 1);
    }
  }

  boolean isSnapshotOpen(String name) {
    VirtualDisk d = snapshotDisks.get(name);
    synchronized (openSnapshotChannels) {
      return d != null && openSnapshotChannels.containsKey(d);
    }
  }

  /** Work that changes the disk's tables or size: no growing write runs beside it. */
  interface TableChange {
    void run() throws IOException;
  }

  void exclusive(TableChange change) throws IOException {
    checkOpen();
    resizeLock.writeLock().lock();
    try {
      change.run();
    } finally {
      resizeLock.writeLock().unlock();
    }
  }

  /** True when {@code disk} may be written here: the active disk of a read-write file system. */
  boolean isWritableDisk(VirtualDisk disk) {
    return !isReadOnly() && disk == image.disk() && disk.isWritable();
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
    VirtualDisk target = compressing != null && disk == image.disk() ? compressing : disk;
    resizeLock.readLock().lock();
    try {
      if (end <= disk.size()) {
        target.write(src, pos);
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
      target.write(src, pos);
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
