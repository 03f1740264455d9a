package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The write path of one qcow2 layer (the active one): the front every change goes through. It
 * holds the lock, the failed state and the persistent bitmaps' tracking, and runs each
 * metadata-changing operation the same way ({@link StateBits} sets the dirty and corrupt bits
 * on the way); the work itself is
 * done by units with one job each (see WRITE-PATH.md for the ordering rules they keep):
 * {@link ClusterWriter} (data into clusters), {@link ZeroWriter} (zeros and discard), {@link
 * Resizer}, {@link Preallocator}, {@link TableUpdater} (L2 and L1 updates), {@link
 * ClusterAllocator} (allocation with the overlap check), {@link PendingRun} (a request's data as
 * one host write), {@link FreeQueue} and {@link WriteBarrier} (the flush barrier).
 *
 * <p>Concurrency: one read-write lock per disk. Reads, and writes whose clusters are all already
 * allocated and owned (COPIED), run under the read lock in parallel; every metadata change runs
 * under the write lock, so metadata has a single writer.
 */
public final class Qcow2DiskWriter {

  /** A metadata-changing operation, run under the write lock by {@link #change}. */
  @FunctionalInterface
  interface Operation {
    void run() throws IOException;
  }

  /** Refusals and no-ops decided before anything is written: false when there is nothing to do. */
  @FunctionalInterface
  interface Precheck {
    boolean needed() throws IOException;
  }

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Qcow2Disk disk;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final boolean dataFileRaw;
  private boolean hasSnapshots;
  /**
   * A snapshot operation switched memory to its new tables but its header write (or the force
   * after it) failed: the file may still name the old ones, so nothing may change before the
   * header is written again (the next change or flush does that first).
   */
  private volatile boolean switchPending;
  private final SnapshotStore snapshotStore;
  private final BitmapStore bitmapStore;
  private final ClusterGeometry geometry;
  private final ClusterAllocator allocator;
  private final WriteBarrier barrier;
  private final ClusterWriter clusters;
  private final ZeroWriter zeroes;
  private final Resizer resizer;
  private final Preallocator preallocator;
  private final CompressedClusterWriter compressed;
  private final ClusterReservations reservations;
  private final StateBits stateBits;
  private BitmapTracker bitmaps;
  private boolean trackWrites;
  private volatile boolean failed;

  /**
   * @param fixedMetadata host ranges ({offset, length}) of metadata this writer never changes: the
   *     snapshot table and the snapshots' L1 tables
   */
  public Qcow2DiskWriter(Qcow2Disk disk, HeaderUpdater header, RefcountManager refcounts,
      boolean hasSnapshots, List<long[]> fixedMetadata) {
    this.disk = disk;
    this.header = header;
    this.refcounts = refcounts;
    DiskLayout layout = disk.layout();
    this.dataFileRaw = header.header().isDataFileRaw();
    this.hasSnapshots = hasSnapshots;
    this.stateBits = new StateBits(header, layout.v2());
    this.geometry = layout.geometry();
    FreeQueue frees = new FreeQueue(layout.clusterBits());
    this.allocator = new ClusterAllocator(refcounts, disk, fixedMetadata);
    TableUpdater tables = new TableUpdater(disk, refcounts, allocator, frees, geometry);
    PendingRun run = new PendingRun(disk.guestDataFile(), layout.extendedL2());
    this.barrier = new WriteBarrier(disk, header, refcounts, tables, run, frees);
    this.clusters = new ClusterWriter(disk, refcounts, allocator, tables, run, frees, barrier,
        geometry);
    this.zeroes = new ZeroWriter(disk, tables, frees, clusters, run, geometry, dataFileRaw);
    this.resizer = new Resizer(disk, header, refcounts, allocator, tables, frees, barrier,
        clusters, zeroes, geometry);
    this.preallocator = new Preallocator(disk, allocator, tables, barrier, geometry);
    this.compressed = new CompressedClusterWriter(disk, refcounts, allocator, tables, run, barrier,
        geometry);
    this.reservations = new ClusterReservations(this, disk, allocator, tables, barrier, geometry);
    this.snapshotStore = new SnapshotStore(this, disk, header, refcounts, allocator);
    this.bitmapStore = new BitmapStore(this, disk, header, refcounts, allocator);
  }

  /** Whole new clusters written with no lock held, by several threads at once. */
  public ClusterReservations reservations() {
    return reservations;
  }

  /** The persistent bitmaps' set of this image: its changes run under this writer's lock. */
  public BitmapStore bitmapStore() {
    return bitmapStore;
  }

  /** The snapshot operations of this image: they run under this writer's lock. */
  public SnapshotStore snapshots() {
    return snapshotStore;
  }

  /** Keeps the image's persistent bitmaps: enabled ones record every change, all are resized. */
  public void setBitmaps(BitmapTracker tracker) {
    this.bitmaps = tracker;
    this.trackWrites = tracker != null && !tracker.isEmpty();
    allocator.setBitmaps(tracker);
  }

  /** The persistent bitmaps' tracker (null when the image has none). */
  BitmapTracker bitmapTracker() {
    return bitmaps;
  }

  /** A snapshot operation replaced the tables (memory first; the header write follows). */
  void tablesSwitched(boolean snapshotsNow, List<long[]> fixedMetadata) {
    hasSnapshots = snapshotsNow;
    allocator.activeTablesChanged();
    allocator.setFixedMetadata(fixedMetadata);
    switchPending = true;
  }

  /** The header of a snapshot switch is written and forced. */
  void switchDone() {
    switchPending = false;
  }

  WriteBarrier barrier() {
    return barrier;
  }

  boolean isFailed() {
    return failed;
  }

  public RefcountManager refcounts() {
    return refcounts;
  }

  // ------------------------------------------------------------------ operations

  void write(ByteBuffer src, long offset) throws IOException {
    checkRange(offset, src.remaining());
    if (!src.hasRemaining()) {
      return;
    }
    lock.readLock().lock();
    try {
      requireUsable();
      track(offset, src.remaining());
      if (!switchPending && clusters.writeInPlace(src, offset)) {
        return;
      }
    } finally {
      lock.readLock().unlock();
    }
    change(() -> {
      checkRange(offset, src.remaining());
      clusters.writeRange(src, offset);
      barrier.endOperation();
    });
  }

  /**
   * Stores {@code packed[0..length)} as the compressed image of the guest cluster at {@code
   * cStart} when that cluster has no host storage ({@link CompressedClusterWriter}); false, with
   * nothing changed, when it has (the caller then writes the data normally).
   */
  boolean writeCompressed(long cStart, byte[] packed, int length) throws IOException {
    long guestLength = Math.min(geometry.clusterSize(), disk.size() - cStart);
    checkRange(cStart, guestLength);
    compressed.checkArguments(cStart, length);
    boolean[] stored = new boolean[1];
    change(() -> {
      checkRange(cStart, guestLength);
      if (!compressed.eligible(cStart)) {
        return;
      }
      track(cStart, guestLength);
      stored[0] = compressed.write(cStart, packed, length);
      barrier.endOperation();
    });
    return stored[0];
  }

  /** True when the guest cluster at {@code cStart} has no host storage now (see above). */
  boolean compressible(long cStart) throws IOException {
    lock.readLock().lock();
    try {
      return compressed.eligible(cStart);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The image's compression type, from the header (0 deflate, 1 zstd). */
  int compressionType() {
    return header.header().compressionType();
  }

  /** writeZeros ({@code discard} false) or discard ({@code discard} true). */
  void zeroRange(long offset, long length, boolean discard) throws IOException {
    zeroRange(offset, length, discard, ZeroWriter.Backing.AS_IS);
  }

  /** As above, the backing file taken as {@code view} says ({@link Qcow2Disk#makeEmpty}). */
  void zeroRange(long offset, long length, boolean discard, ZeroWriter.Backing view)
      throws IOException {
    checkRange(offset, length);
    if (length == 0) {
      return;
    }
    change(() -> {
      checkRange(offset, length);
      track(offset, length);
      long mask = geometry.clusterMask();
      long pos = offset;
      long end = offset + length;
      long size = disk.size();
      while (pos < end) {
        long cStart = pos & ~mask;
        long cEnd = Math.min(cStart + geometry.clusterSize(), end);
        long logicalEnd = Math.min(cStart + geometry.clusterSize(), size);
        boolean full = pos == cStart && cEnd >= logicalEnd;
        if (full) {
          zeroes.zeroWholeCluster(cStart, discard, view);
        } else if (!discard) {
          zeroes.zeroPartial(pos, (int) (cEnd - pos), view);
        }
        pos = cEnd;
        barrier.ensureCacheRoom();
      }
      barrier.endOperation();
    });
  }

  void resize(long newSize, boolean discardData) throws IOException {
    resizer.checkNewSize(newSize);
    change(() -> resizer.precheck(newSize, hasSnapshots, bitmaps),
        () -> resizer.resize(newSize, discardData, bitmaps));
  }

  /**
   * Grows the disk and preallocates what it added ({@link Preallocator#preallocateGrown}):
   * {@code zeroFlag} for metadata on v3, {@code writeZeros} for full. A shrink or an unchanged
   * size preallocates nothing.
   */
  public void resizePreallocated(long newSize, boolean zeroFlag, boolean writeZeros)
      throws IOException {
    resizer.checkNewSize(newSize);
    long[] old = {0};
    change(() -> {
      old[0] = disk.size();
      return resizer.precheck(newSize, hasSnapshots, bitmaps);
    }, () -> {
      resizer.resize(newSize, true, bitmaps);
      if (newSize > old[0]) {
        preallocator.preallocateGrown(old[0], zeroFlag, writeZeros);
      }
    });
  }

  /**
   * Sets the size of a freshly created image (whose size is 0): the L1 table is allocated at
   * exactly the size the disk needs, as QEMU's creation does, and nothing is zeroed.
   */
  public void initialSize(long newSize) throws IOException {
    lock.writeLock().lock();
    try {
      resizer.grow(0, newSize, false);
      barrier.flushAndForce();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Preallocates every cluster of a new disk ({@link Preallocator}), zeroing them when asked. */
  public void preallocate(boolean writeZeros) throws IOException {
    lock.writeLock().lock();
    try {
      preallocator.preallocate(writeZeros);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Writes every cached change in dependency order and forces the files. */
  public void flush() throws IOException {
    lock.writeLock().lock();
    try {
      flushLocked();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The body of {@link #flush}, under the write lock; false when the writer had failed. */
  boolean flushLocked() throws IOException {
    if (failed) {
      return false;
    }
    // Also finishes a snapshot switch whose header write failed: the header comes first.
    barrier.flushAndForce();
    switchPending = false;
    if (bitmaps != null) {
      // After guest data and metadata are durable: the bitmaps' contents, then in_use cleared.
      bitmaps.store(allocator::allocate, barrier::flushAndForce);
    }
    return true;
  }

  /** Flushes and, when lazy refcounts set the dirty bit, clears it: a clean close. */
  public void close() throws IOException {
    lock.writeLock().lock();
    try {
      if (!flushLocked()) {
        return;
      }
      stateBits.clearDirty();
      failed = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ------------------------------------------------------------------ the template

  /**
   * Runs a metadata change: under the write lock, on a usable writer, after its precheck, with
   * the lazy-refcounts dirty bit set first; corruption found on the way marks the image corrupt.
   */
  private void change(Operation op) throws IOException {
    change(() -> true, op);
  }

  void change(Precheck precheck, Operation op) throws IOException {
    lock.writeLock().lock();
    try {
      requireUsable();
      if (switchPending) {
        barrier.flushAndForce();
        switchPending = false;
      }
      if (!precheck.needed()) {
        return;
      }
      stateBits.beforeMetadataChange();
      op.run();
    } catch (CorruptImageException e) {
      markCorrupt(e);
      throw e;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Marks the change in the tracked bitmaps (and them in_use on disk) before it is written. */
  private void track(long offset, long length) throws IOException {
    if (trackWrites) {
      bitmaps.track(offset, length);
    }
  }

  void markCorrupt(CorruptImageException e) {
    if (failed) {
      return;
    }
    failed = true;
    stateBits.setCorrupt();
  }

  private void requireUsable() throws IOException {
    if (failed) {
      throw new ReadOnlyDiskException(disk.name() + " is closed or was marked corrupt; "
          + "no further writes are accepted");
    }
  }

  private void checkRange(long offset, long length) {
    if (offset < 0 || length < 0 || offset + length > disk.size() || offset + length < 0) {
      throw new IllegalArgumentException("range [" + offset + ", " + offset + "+" + length
          + ") outside the disk of " + disk.size() + " bytes");
    }
  }
}
