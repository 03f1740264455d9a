package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.Buffers;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Guest data into clusters: in place where the cluster (subcluster) is allocated and owned, else
 * into a new cluster that copies what the guest saw there before (backing file, zeros, compressed
 * or shared data), with the entry pointing at it afterwards and the old references queued for
 * decrement. See WRITE-PATH.md, "Writes".
 */
final class ClusterWriter {
  static final long ALL_ALLOC = 0xFFFFFFFFL;

  private final Qcow2Disk disk;
  private final HostFile data;
  private final L2Cache l2Cache;
  private final RefcountManager refcounts;
  private final ClusterAllocator allocator;
  private final TableUpdater tables;
  private final PendingRun run;
  private final FreeQueue frees;
  private final WriteBarrier barrier;
  private final ClusterGeometry g;
  private final boolean extended;
  private final boolean externalData;
  /** LUKS: data reaches the file encrypted, in whole sectors only. */
  private final boolean encrypted;
  private final int clusterSize;
  private final long clusterMask;
  private final ByteBuffer scratch;

  ClusterWriter(Qcow2Disk disk, RefcountManager refcounts, ClusterAllocator allocator,
      TableUpdater tables, PendingRun run, FreeQueue frees, WriteBarrier barrier,
      ClusterGeometry geometry) {
    this.disk = disk;
    this.data = disk.guestDataFile();
    this.encrypted = disk.isEncrypted();
    this.l2Cache = disk.l2Cache();
    this.refcounts = refcounts;
    this.allocator = allocator;
    this.tables = tables;
    this.run = run;
    this.frees = frees;
    this.barrier = barrier;
    this.g = geometry;
    this.extended = geometry.extended();
    this.externalData = disk.layout().externalData();
    this.clusterSize = geometry.clusterSize();
    this.clusterMask = geometry.clusterMask();
    this.scratch = ByteBuffer.allocate(clusterSize);
  }

  // ------------------------------------------------------------------ fast path

  /**
   * Writes in place when every touched cluster (subcluster) is allocated and owned: no metadata
   * changes, so this runs under the read lock. False (nothing written) otherwise.
   */
  boolean writeInPlace(ByteBuffer src, long offset) throws IOException {
    long end = offset + src.remaining();
    if (encrypted && !SectorMerge.aligned(offset, src.remaining())) {
      // A partial sector is read, merged and re-encrypted: under the write lock, like QEMU's
      // serialised read-modify-write, so two writers of one sector cannot lose each other's bytes.
      return false;
    }
    long[] l1 = disk.l1();
    for (long pos = offset; pos < end; pos = (pos | clusterMask) + 1) {
      long host = ownedHost(l1, pos, Math.min(end, (pos | clusterMask) + 1));
      if (host < 0) {
        return false;
      }
    }
    int limit = src.limit();
    try {
      long pos = offset;
      while (pos < end) {
        long runStart = pos;
        long hostStart = ownedHost(l1, pos, Math.min(end, (pos | clusterMask) + 1))
            + (pos & clusterMask);
        pos = (pos | clusterMask) + 1;
        while (pos < end) {
          long h = ownedHost(l1, pos, Math.min(end, (pos | clusterMask) + 1));
          if (h != hostStart + (pos - runStart)) {
            break;
          }
          pos = (pos | clusterMask) + 1;
        }
        long runEnd = Math.min(pos, end);
        pos = runEnd;
        src.limit(src.position() + (int) (runEnd - runStart));
        data.write(src, hostStart);
        src.limit(limit);
      }
    } finally {
      src.limit(limit);
    }
    return true;
  }

  /** The host offset of the cluster at {@code pos} if {@code [pos, end)} can be written in place. */
  private long ownedHost(long[] l1, long pos, long end) throws IOException {
    long l1Index = g.l1Index(pos);
    if (l1Index >= l1.length) {
      return -1;
    }
    long e = l1[(int) l1Index];
    long l2 = L1Entry.l2Offset(e);
    if (l2 == 0 || (l2 & clusterMask) != 0) {
      return -1;
    }
    long[] table = l2Cache.get(l2, l1Index);
    int idx = g.l2Index(pos);
    long word = table[g.wordIndex(idx)];
    if ((word & L2Entry.COPIED) == 0 || (word & L2Entry.COMPRESSED) != 0) {
      return -1;
    }
    long host = word & L2Entry.OFFSET_MASK;
    if ((host & clusterMask) != 0 || (host == 0 && !externalData)
        || (externalData && host != (pos & ~clusterMask))) {
      return -1;
    }
    if (!extended) {
      return (word & L2Entry.ZERO_FLAG) != 0 ? -1 : host;
    }
    long bitmap = table[2 * idx + 1];
    int alloc = (int) bitmap;
    int zero = (int) (bitmap >>> 32);
    if ((alloc & zero) != 0) {
      return -1;
    }
    int m = g.subclusterMask((int) (pos & clusterMask), (int) (end - pos));
    return (alloc & m) == m ? host : -1;
  }

  // ------------------------------------------------------------------ allocating writes

  /**
   * Writes {@code src} at guest {@code offset}, cluster by cluster, its data reaching the file as
   * one run; the run is dropped on failure. Under the write lock.
   */
  void writeRange(ByteBuffer src, long offset) throws IOException {
    long pos = offset;
    int limit = src.limit();
    try {
      while (src.position() < limit) {
        int at = src.position();
        int n = (int) Math.min(limit - at, clusterSize - (pos & clusterMask));
        src.limit(at + n);
        write(src, pos);
        src.limit(limit).position(at + n);
        pos += n;
      }
      run.write();
    } finally {
      src.limit(limit);
      run.abandon();
    }
  }

  /** Writes {@code src} (inside one cluster) at guest {@code pos}. Under the write lock. */
  void write(ByteBuffer src, long pos) throws IOException {
    if (encrypted && !SectorMerge.aligned(pos, src.remaining())) {
      src = SectorMerge.widen(this, src, pos);
      pos = SectorMerge.start(pos);
    }
    barrier.ensureCacheRoom();
    long l1Index = g.l1Index(pos);
    long[] table = tables.writableL2(l1Index);
    int idx = g.l2Index(pos);
    int wi = g.wordIndex(idx);
    long word = table[wi];
    long bitmap = extended ? table[wi + 1] : 0;
    run.clearDeferred();
    write(src, pos, l1Index, table, idx, wi, word, bitmap);
    if (run.wasDeferred()) {
      // The entry now points at data still in the run: remember how to take it back.
      run.noteEntry(table, wi, word, bitmap);
    }
  }

  private void write(ByteBuffer src, long pos, long l1Index, long[] table, int idx, int wi,
      long word, long bitmap) throws IOException {
    long cStart = pos & ~clusterMask;
    int off = (int) (pos & clusterMask);

    if ((word & L2Entry.COMPRESSED) != 0) {
      if (externalData) {
        throw disk.corrupt(l1Index, idx, "compressed cluster in an image with an external data file");
      }
      long host = allocator.allocate(1);
      writeWholeCluster(host, cStart, off, src, false);
      table[wi] = host | L2Entry.COPIED;
      if (extended) {
        table[wi + 1] = ALL_ALLOC;
      }
      frees.addCompressed(word);
      return;
    }
    long host = word & L2Entry.OFFSET_MASK;
    boolean hasHost = host != 0 || (externalData && (word & L2Entry.COPIED) != 0);
    if (hasHost) {
      checkHost(l1Index, idx, host, cStart);
      if (extended && (((int) bitmap) & (int) (bitmap >>> 32)) != 0) {
        throw disk.corrupt(l1Index, idx, String.format(
            "subcluster bitmap 0x%016x marks a subcluster both allocated and zero", bitmap));
      }
      if (owned(word, host)) {
        if (!extended) {
          if ((word & L2Entry.ZERO_FLAG) != 0) {
            // A preallocated zero cluster: the rest of it must read as zeros afterwards.
            writeWholeCluster(host, cStart, off, src, true);
          } else {
            writeData(src, host + off);
          }
          table[wi] = host | L2Entry.COPIED;
        } else {
          table[wi + 1] = writeSubclusters(host, cStart, off, src, bitmap);
          table[wi] = host | L2Entry.COPIED;
        }
        return;
      }
      // Shared with a snapshot: copy on write, then drop our reference to the old cluster.
      long fresh = allocator.allocate(1);
      writeWholeCluster(fresh, cStart, off, src, false);
      table[wi] = fresh | L2Entry.COPIED;
      if (extended) {
        table[wi + 1] = ALL_ALLOC;
      }
      frees.add(host, clusterSize, PendingFree.Kind.DATA);
      return;
    }
    if (extended && (int) bitmap != 0) {
      throw disk.corrupt(l1Index, idx, String.format(
          "subcluster bitmap 0x%016x marks subclusters allocated in an unallocated cluster",
          bitmap));
    }
    long fresh = externalData ? cStart : allocator.allocate(1);
    if (!extended) {
      // Encrypted, a hole reads as the decryption of zeros, not as zeros: never rely on it.
      if (!encrypted && !externalData && fresh >= data.size()
          && readsZeroWithoutIo(cStart, (int) Math.min(clusterSize, disk.size() - cStart))) {
        // A new cluster past the end of the file, replacing one that reads as zeros: the rest of
        // the cluster is a hole or past EOF, and both read as zeros. Only the data is written.
        writeData(src, fresh + off);
      } else {
        writeWholeCluster(fresh, cStart, off, src, true);
      }
      table[wi] = fresh | L2Entry.COPIED;
    } else {
      long newBitmap = writeSubclusters(fresh, cStart, off, src, bitmap);
      table[wi] = fresh | L2Entry.COPIED;
      table[wi + 1] = newBitmap;
    }
  }

  /** True when the guest owns the cluster at {@code host} alone (refcount 1, or a data file). */
  boolean owned(long word, long host) throws IOException {
    return externalData || (word & L2Entry.COPIED) != 0
        || refcounts.get(host >>> g.clusterBits()) == 1;
  }

  void checkHost(long l1Index, int idx, long host, long cStart) throws IOException {
    if ((host & clusterMask) != 0) {
      throw disk.corrupt(l1Index, idx,
          "data cluster offset 0x" + Long.toHexString(host) + " is not cluster-aligned");
    }
    if (externalData && host != cStart) {
      throw disk.corrupt(l1Index, idx, "external data file offset 0x" + Long.toHexString(host)
          + " does not match guest cluster offset 0x" + Long.toHexString(cStart));
    }
  }

  /**
   * Writes a whole cluster at {@code host}: what the guest sees there now, with {@code src}
   * overlaid at {@code off}. The old contents (backing file, zeros, compressed or shared data) are
   * read once.
   */
  private void writeWholeCluster(long host, long cStart, int off, ByteBuffer src,
      boolean deferrable) throws IOException {
    int n = src.remaining();
    if (n == clusterSize) {
      // Nothing of the old view survives: no read, no copy.
      if (deferrable) {
        writeData(src, host);
      } else {
        run.write();
        int at = src.position();
        data.write(src, host);
        src.position(at);
        barrier.dataWritten();
      }
      return;
    }
    ByteBuffer buf = scratch;
    readView(buf.clear().limit(off), cStart);
    readView(buf.limit(clusterSize).position(off + n), cStart + off + n);
    buf.position(off);
    int at = src.position();
    buf.put(src);
    src.position(at);
    buf.clear();
    run.write();
    data.write(buf, host);
    barrier.dataWritten();
  }

  /** Hands {@code src} to the pending run for {@code host} of the data file. */
  private void writeData(ByteBuffer src, long host) throws IOException {
    barrier.dataWritten();
    run.add(src, host);
  }

  /**
   * Writes the subclusters {@code src} touches at {@code host} (partial ones completed from the
   * current view) and returns the new bitmap: those subclusters allocated, not zero.
   */
  private long writeSubclusters(long host, long cStart, int off, ByteBuffer src, long bitmap)
      throws IOException {
    int n = src.remaining();
    int mask = g.subclusterMask(off, n);
    int alloc = (int) bitmap;
    int zero = (int) (bitmap >>> 32);
    int unit = 1 << g.unitBits();
    int wStart = off & ~(unit - 1);
    int wEnd = ((off + n - 1) | (unit - 1)) + 1;
    if ((alloc & mask) == mask || (wStart == off && wEnd == off + n)) {
      writeData(src, host + off);
    } else {
      ByteBuffer buf = scratch;
      readView(buf.clear().position(wStart).limit(off), cStart + wStart);
      readView(buf.limit(wEnd).position(off + n), cStart + off + n);
      buf.position(off);
      int at = src.position();
      buf.put(src);
      src.position(at);
      buf.limit(wEnd).position(wStart);
      run.write();
      data.write(buf, host + wStart);
    }
    barrier.dataWritten();
    alloc |= mask;
    zero &= ~mask;
    return (Integer.toUnsignedLong(zero) << 32) | Integer.toUnsignedLong(alloc);
  }

  /** Fills {@code dst} with the guest view at {@code pos}; zeros past the end of the disk. */
  void readView(ByteBuffer dst, long pos) throws IOException {
    if (!dst.hasRemaining()) {
      return;
    }
    if (pos < disk.size()) {
      disk.readUnlocked(dst, pos);
    }
    Buffers.zero(dst, dst.remaining());
  }

  /** True when every unit of {@code [pos, pos + n)} already reads as zeros without host I/O. */
  boolean readsZeroWithoutIo(long pos, int n) throws IOException {
    long end = pos + n;
    long l1Index = g.l1Index(pos);
    long[] table = disk.l2Table(l1Index);
    VirtualDisk backing = disk.backing();
    for (long p = pos; p < end; p = (p | ((1L << g.unitBits()) - 1)) + 1) {
      long m = disk.map(table, l1Index, p);
      int type = (int) (m & Qcow2Disk.TYPE_MASK);
      if (type == Qcow2Disk.ZERO) {
        continue;
      }
      if (type == Qcow2Disk.UNALLOCATED && (backing == null || backing.size() <= p)) {
        continue;
      }
      return false;
    }
    return true;
  }

  /** True when the guest view of {@code [pos, pos + n)} (inside one cluster) is all zeros. */
  boolean contentIsZero(long pos, int n) throws IOException {
    if (readsZeroWithoutIo(pos, n)) {
      return true;
    }
    ByteBuffer buf = scratch.clear().limit(n);
    readView(buf, pos);
    byte[] b = scratch.array();
    for (int i = 0; i < n; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
