package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The flush barrier of WRITE-PATH.md: cached metadata reaches the file in dependency order, data
 * and refcounts (forced), then L2 tables (forced), then L1 entries (forced), and only then are the
 * queued decrements applied (a lost decrement is a leak, so they are not forced).
 */
final class WriteBarrier {
  private final HostFile image;
  private final HostFile data;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final L2Cache l2Cache;
  private final TableUpdater tables;
  private final PendingRun run;
  private final FreeQueue frees;
  private final Qcow2Disk disk;
  private final int clusterSize;
  /** Guest data was written since the last barrier: the next one forces it first. */
  private boolean dataWritten;
  /**
   * Writes of the barrier's current step were issued but their force has not succeeded yet: the
   * next barrier forces before writing anything that depends on them, even when nothing is dirty.
   */
  private boolean unforced;

  WriteBarrier(Qcow2Disk disk, HeaderUpdater header, RefcountManager refcounts,
      TableUpdater tables, PendingRun run, FreeQueue frees) {
    this.disk = disk;
    this.image = disk.imageFile();
    this.data = disk.dataFile();
    this.header = header;
    this.refcounts = refcounts;
    this.l2Cache = disk.l2Cache();
    this.tables = tables;
    this.run = run;
    this.frees = frees;
    this.clusterSize = 1 << disk.layout().clusterBits();
  }

  /** Guest data was written (or joined the pending run). */
  void dataWritten() {
    dataWritten = true;
  }

  /** True when guest data was written since the last barrier. */
  boolean hasDataWritten() {
    return dataWritten;
  }

  /**
   * Ends a metadata operation. Clusters it dropped stay counted (a harmless, temporary leak) until
   * the next flush has made the drop durable; only a long backlog flushes now.
   */
  void endOperation() throws IOException {
    if (frees.overBacklog()) {
      flushMetadata();
    }
    ensureCacheRoom();
  }

  /** Runs the barrier before the L2 cache fills with dirty tables (they cannot be evicted). */
  void ensureCacheRoom() throws IOException {
    if (l2Cache.dirtyCount() >= l2Cache.capacity() - 1) {
      flushMetadata();
    }
  }

  /** Writes every cached change in dependency order; the final force is the caller's. */
  void flushMetadata() throws IOException {
    run.write();
    if (dataWritten) {
      unforced = true;
      dataWritten = false;
    }
    // Header fields first (a staged grown size, a table switch whose write failed): nothing
    // mapping the grown part, or living in a moved table, can be durable before them.
    if (header.writePending()) {
      unforced = true;
    }
    if (refcounts.isDirty()) {
      unforced = true;
      refcounts.flush();
    }
    forceIfNeeded(true);
    if (l2Cache.dirtyCount() > 0) {
      unforced = true;
      ByteBuffer buf = ByteBuffer.allocate(clusterSize);
      l2Cache.flush((offset, table) -> {
        buf.clear();
        buf.asLongBuffer().put(table);
        image.write(buf, offset);
      });
    }
    forceIfNeeded(false);
    if (tables.l1Dirty()) {
      unforced = true;
      tables.writeDirtyL1(image);
    }
    forceIfNeeded(false);
    if (!frees.isEmpty()) {
      frees.applyDecrements(refcounts, l2Cache, disk);
      refcounts.flush();
    }
  }

  private void forceIfNeeded(boolean dataToo) throws IOException {
    if (unforced) {
      if (dataToo) {
        forceAll();
      } else {
        image.force();
      }
      unforced = false;
    }
  }

  /** Forces the image file and the external data file. */
  void forceAll() throws IOException {
    image.force();
    if (data != image) {
      data.force();
    }
  }

  /** The barrier, then a final force: what a flush is. */
  void flushAndForce() throws IOException {
    flushMetadata();
    forceAll();
  }
}
