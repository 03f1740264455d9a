package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Guest data of whole new clusters written with no lock held, so that several threads write at
 * once (convert's write-behind): the host clusters are reserved under the write lock (allocated,
 * their refcount increments cached as for any allocation), the calling thread writes the data
 * with no lock, and only after that write has completed are the L2 entries pointed at it, again
 * under the lock. So no entry, in memory or on disk, ever names a cluster whose data write has
 * not completed; the barrier forces that data before any L2 table naming it (the entries mark
 * data written). A failed data write, or a crash before the entries are set, leaves the reserved
 * clusters leaked, nothing worse.
 *
 * <p>Only unallocated guest clusters (entry 0) are reserved, in an image without an external
 * data file, encryption, extended L2 entries or tracked bitmaps; everything else (partial
 * clusters, allocated ones, those images) goes through the disk's ordinary write. Callers write
 * disjoint guest ranges from different threads; the entries are checked again before they are
 * set, and a cluster that changed meanwhile is written the ordinary way (its reservation leaks).
 */
public final class ClusterReservations {
  private final Qcow2DiskWriter writer;
  private final Qcow2Disk disk;
  private final HostFile data;
  private final ClusterAllocator allocator;
  private final TableUpdater tables;
  private final WriteBarrier barrier;
  private final ClusterGeometry g;

  ClusterReservations(Qcow2DiskWriter writer, Qcow2Disk disk, ClusterAllocator allocator,
      TableUpdater tables, WriteBarrier barrier, ClusterGeometry geometry) {
    this.writer = writer;
    this.disk = disk;
    this.data = disk.guestDataFile();
    this.allocator = allocator;
    this.tables = tables;
    this.barrier = barrier;
    this.g = geometry;
  }

  /** The guest cluster size. */
  public int clusterSize() {
    return g.clusterSize();
  }

  /** Whether whole clusters can be reserved in this image at all (checked on every write). */
  public boolean usable() {
    BitmapTracker tracker = writer.bitmapTracker();
    return !disk.isEncrypted() && !disk.layout().externalData() && !g.extended()
        && (tracker == null || tracker.isEmpty());
  }

  /**
   * Writes {@code src} (position to limit) at guest {@code offset}, as {@code disk.write} would:
   * its whole unallocated clusters through a reservation, the rest the ordinary way. Several
   * threads may call this at once for disjoint ranges. {@code src}'s position is left alone.
   */
  public void write(ByteBuffer src, long offset) throws IOException {
    int cs = g.clusterSize();
    long end = offset + src.remaining();
    long first = roundUp(offset);
    // The disk's last cluster counts as whole when the data reaches the end of the disk.
    long last = end == disk.size() ? end : end - end % cs;
    if (!usable() || last <= first) {
      disk.write(src.duplicate(), offset);
      return;
    }
    int base = src.position();
    ordinary(src, base, offset, first);
    reserved(slice(src, base + (int) (first - offset), (int) (last - first)), first);
    ordinary(src, base + (int) (last - offset), last, end);
  }

  private void ordinary(ByteBuffer src, int at, long from, long to) throws IOException {
    if (to > from) {
      disk.write(slice(src, at, (int) (to - from)), from);
    }
  }

  private void reserved(ByteBuffer mid, long guest) throws IOException {
    int cs = g.clusterSize();
    int n = (int) ((mid.remaining() + cs - 1) / cs);
    long[] host = {-1};
    writer.change(() -> true, () -> host[0] = reserve(guest, n));
    if (host[0] < 0) {
      disk.write(mid.duplicate(), guest);
      return;
    }
    data.write(mid.duplicate(), host[0]);
    boolean[] mapped = {false};
    writer.change(() -> true, () -> mapped[0] = map(guest, host[0], n));
    if (!mapped[0]) {
      disk.write(mid.duplicate(), guest);
    }
  }

  /** Under the write lock: the first of {@code n} new host clusters, or -1 when not all free. */
  private long reserve(long guest, int n) throws IOException {
    if (!unallocated(guest, n)) {
      return -1;
    }
    return allocator.allocate(n);
  }

  /** Under the write lock, after the data write: the entries pointed at the written clusters. */
  private boolean map(long guest, long host, int n) throws IOException {
    // Set first: a barrier run while the entries are set must force this data before them.
    barrier.dataWritten();
    if (!unallocated(guest, n)) {
      return false;
    }
    int cs = g.clusterSize();
    for (int k = 0; k < n; k++) {
      long pos = guest + (long) k * cs;
      barrier.ensureCacheRoom();
      long[] table = tables.writableL2(g.l1Index(pos));
      table[g.wordIndex(g.l2Index(pos))] = (host + (long) k * cs) | L2Entry.COPIED;
    }
    barrier.endOperation();
    return true;
  }

  private boolean unallocated(long guest, int n) throws IOException {
    int cs = g.clusterSize();
    for (int k = 0; k < n; k++) {
      long pos = guest + (long) k * cs;
      barrier.ensureCacheRoom();
      long[] table = tables.writableL2(g.l1Index(pos));
      if (table[g.wordIndex(g.l2Index(pos))] != 0) {
        return false;
      }
    }
    return true;
  }

  private long roundUp(long at) {
    int cs = g.clusterSize();
    return (at + cs - 1) / cs * cs;
  }

  private static ByteBuffer slice(ByteBuffer src, int at, int length) {
    ByteBuffer b = src.duplicate();
    b.limit(at + length).position(at);
    return b;
  }
}
