package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The write path of one qcow2 layer (the active one). See WRITE-PATH.md for the ordering rules.
 *
 * <p>Concurrency: one read-write lock per disk. Reads, and writes whose clusters are all already
 * allocated and owned (COPIED), run under the read lock in parallel; every metadata change runs
 * under the write lock, so metadata has a single writer.
 *
 * <p>Crash ordering: guest data and COW copies are written first; refcount increments are cached
 * and written before any L2 table that depends on them (with a force in between); L2 tables are
 * written and forced before the L1 entries pointing at them; refcount decrements are applied only
 * after the structure that dropped the reference is durable.
 */
public final class Qcow2DiskWriter {
  private static final long ALL_ALLOC = 0xFFFFFFFFL;
  private static final long ALL_ZERO = 0xFFFFFFFF00000000L;

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Qcow2Disk disk;
  private final HostFile image;
  private final HostFile data;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final L2Cache l2Cache;
  private final VirtualDisk backing;
  private final boolean v2;
  private final boolean extended;
  private final boolean externalData;
  private final boolean dataFileRaw;
  private final boolean lazyRefcounts;
  private final boolean hasSnapshots;
  private final int clusterBits;
  private final int clusterSize;
  private final long clusterMask;
  private final int l2Bits;
  private final int l1Shift;
  private final int unitBits;
  private final byte[] scratch;
  private final byte[] zeros;

  private final BitSet dirtyL1 = new BitSet();
  private final List<long[]> fixedMetadata;
  private final java.util.HashSet<Long> activeL2 = new java.util.HashSet<>();
  private final java.util.ArrayDeque<PendingFree> pendingFrees = new java.util.ArrayDeque<>();
  private boolean dataWritten;
  /**
   * Writes of the barrier's current step were issued but their force has not succeeded yet: the
   * next flush forces before writing anything that depends on them, even when nothing is dirty.
   */
  private boolean unforced;
  /**
   * Guest data of the current request waiting to be written as one host write: {@code runLength}
   * bytes of {@code runBuffer} from {@code runFrom}, for {@code runHost}. Consecutive new clusters
   * of a request are usually contiguous in the file too. Always written before the request ends
   * and before any metadata is (see {@link #flushMetadata}).
   */
  private ByteBuffer runBuffer;
  private boolean deferred;
  /** Entries pointing into the pending run, with their old words, to take back on failure. */
  private final long[][] runTables = new long[256][];
  private final int[] runIndex = new int[256];
  private final long[] runOld = new long[512];
  private int runEntries;
  private int runFrom;
  private int runLength;
  private long runHost;
  private final ByteBuffer scratchBuffer;
  /** Counts tables handed out for modification, so an operation can tell it changed nothing. */
  private long l2Updates;
  private boolean dirtyBitSet;
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
    this.image = disk.imageFile();
    this.data = disk.dataFile();
    this.header = header;
    this.refcounts = refcounts;
    this.l2Cache = disk.l2Cache();
    this.backing = disk.backing();
    Qcow2Disk.Layout layout = disk.layout();
    this.v2 = layout.v2();
    this.extended = layout.extendedL2();
    this.externalData = layout.externalData();
    this.dataFileRaw = header.header().isDataFileRaw();
    this.lazyRefcounts = header.header().hasLazyRefcounts();
    this.hasSnapshots = hasSnapshots;
    this.clusterBits = layout.clusterBits();
    this.clusterSize = 1 << clusterBits;
    this.clusterMask = clusterSize - 1L;
    this.l2Bits = layout.l2Bits();
    this.l1Shift = clusterBits + l2Bits;
    this.unitBits = extended ? clusterBits - 5 : clusterBits;
    this.scratch = new byte[clusterSize];
    this.zeros = new byte[clusterSize];
    this.scratchBuffer = ByteBuffer.wrap(scratch);
    this.dirtyBitSet = header.header().isDirty();
    this.fixedMetadata = List.copyOf(fixedMetadata);
    for (long e : disk.l1()) {
      long off = L1Entry.l2Offset(e);
      if (off != 0) {
        activeL2.add(off);
      }
    }
  }

  /** Keeps the image's persistent bitmaps: enabled ones record every change, all are resized. */
  public void setBitmaps(BitmapTracker tracker) {
    this.bitmaps = tracker;
    this.trackWrites = tracker != null && !tracker.isEmpty();
  }

  boolean isFailed() {
    return failed;
  }

  public RefcountManager refcounts() {
    return refcounts;
  }

  // ------------------------------------------------------------------ public operations

  void write(ByteBuffer src, long offset) throws IOException {
    checkRange(offset, src.remaining());
    if (!src.hasRemaining()) {
      return;
    }
    lock.readLock().lock();
    try {
      requireUsable();
      track(offset, src.remaining());
      if (fastWrite(src, offset)) {
        return;
      }
    } finally {
      lock.readLock().unlock();
    }
    lock.writeLock().lock();
    try {
      requireUsable();
      checkRange(offset, src.remaining());
      beginMetadataChange();
      long pos = offset;
      int limit = src.limit();
      try {
        while (src.position() < limit) {
          int at = src.position();
          int n = (int) Math.min(limit - at, clusterSize - (pos & clusterMask));
          src.limit(at + n);
          writeCluster(src, pos);
          src.limit(limit).position(at + n);
          pos += n;
        }
        writeRun();
      } finally {
        src.limit(limit);
        abandonRun();
      }
      endOperation();
    } catch (CorruptImageException e) {
      markCorrupt(e);
      throw e;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** writeZeros ({@code discard} false) or discard ({@code discard} true). */
  void zeroRange(long offset, long length, boolean discard) throws IOException {
    checkRange(offset, length);
    if (length == 0) {
      return;
    }
    lock.writeLock().lock();
    try {
      requireUsable();
      checkRange(offset, length);
      track(offset, length);
      beginMetadataChange();
      long pos = offset;
      long end = offset + length;
      long size = disk.size();
      while (pos < end) {
        long cStart = pos & ~clusterMask;
        long cEnd = Math.min(cStart + clusterSize, end);
        long logicalEnd = Math.min(cStart + clusterSize, size);
        boolean full = pos == cStart && cEnd >= logicalEnd;
        if (full) {
          zeroWholeCluster(cStart, discard);
        } else if (!discard) {
          zeroPartial(pos, (int) (cEnd - pos));
        }
        pos = cEnd;
        ensureCacheRoom();
      }
      endOperation();
    } catch (CorruptImageException e) {
      markCorrupt(e);
      throw e;
    } finally {
      lock.writeLock().unlock();
    }
  }

  void resize(long newSize, boolean discardData) throws IOException {
    if (newSize < 0 || (newSize & 511) != 0) {
      throw new Qcow2Exception(disk.name() + ": a qcow2 disk size must be a multiple of 512 bytes"
          + " (asked for " + newSize + ")");
    }
    lock.writeLock().lock();
    try {
      requireUsable();
      long oldSize = disk.size();
      if (newSize == oldSize) {
        return;
      }
      if (hasSnapshots && v2) {
        throw new Qcow2Exception(disk.name() + ": can't resize a v2 image which has snapshots");
      }
      if (dataFileRaw) {
        throw new Qcow2Exception(disk.name()
            + ": resizing an image with a raw external data file is not supported yet");
      }
      if (bitmaps != null) {
        bitmaps.checkResizable();
      }
      beginMetadataChange();
      if (bitmaps != null) {
        bitmaps.beginResize();
      }
      if (newSize > oldSize) {
        // Durable at the next flush (or at once when the L1 table moved or zeros were needed).
        grow(oldSize, newSize, true);
        endOperation();
        if (bitmaps != null) {
          // Persistent bitmaps are resized against a durable size, as before.
          flushMetadata();
          forceAll();
        }
      } else {
        if (hasSnapshots) {
          throw new Qcow2Exception(disk.name() + ": can't shrink an image with internal snapshots");
        }
        shrink(oldSize, newSize, discardData);
        forceAll();
      }
      if (bitmaps != null) {
        bitmaps.finishResize(newSize, this::allocate, this::flushAndForce, refcounts);
      }
    } catch (CorruptImageException e) {
      markCorrupt(e);
      throw e;
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
  private boolean flushLocked() throws IOException {
    if (failed) {
      return false;
    }
    flushMetadata();
    forceAll();
    storeBitmaps();
    return true;
  }

  /** Flushes and, when lazy refcounts set the dirty bit, clears it: a clean close. */
  public void close() throws IOException {
    lock.writeLock().lock();
    try {
      if (!flushLocked()) {
        return;
      }
      if (dirtyBitSet && !v2) {
        header.setIncompatibleFeatures(header.header().incompatibleFeatures()
            & ~Features.INCOMPAT_DIRTY);
        dirtyBitSet = false;
      }
      failed = true;
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

  /** After guest data and metadata are durable: the bitmaps' contents, then in_use cleared. */
  private void storeBitmaps() throws IOException {
    if (bitmaps != null) {
      bitmaps.store(this::allocate, this::flushAndForce);
    }
  }

  private void flushAndForce() throws IOException {
    flushMetadata();
    forceAll();
  }

  // ------------------------------------------------------------------ fast path

  /** Writes in place when every touched cluster (subcluster) is allocated and owned. */
  private boolean fastWrite(ByteBuffer src, long offset) throws IOException {
    long end = offset + src.remaining();
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
    long l1Index = pos >>> l1Shift;
    if (l1Index >= l1.length) {
      return -1;
    }
    long e = l1[(int) l1Index];
    long l2 = L1Entry.l2Offset(e);
    if (l2 == 0 || (l2 & clusterMask) != 0) {
      return -1;
    }
    long[] table = l2Cache.get(l2, l1Index);
    int idx = (int) ((pos >>> clusterBits) & ((1 << l2Bits) - 1));
    long word = extended ? table[2 * idx] : table[idx];
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
    int m = subclusterMask((int) (pos & clusterMask), (int) (end - pos));
    return (alloc & m) == m ? host : -1;
  }

  private int subclusterMask(int off, int len) {
    int sa = off >>> unitBits;
    int sb = (off + len - 1) >>> unitBits;
    long m = ((1L << (sb + 1)) - 1) & ~((1L << sa) - 1);
    return (int) m;
  }

  // ------------------------------------------------------------------ allocating writes

  /** Writes {@code src} (inside one cluster) at guest {@code pos}. Under the write lock. */
  private void writeCluster(ByteBuffer src, long pos) throws IOException {
    ensureCacheRoom();
    long l1Index = pos >>> l1Shift;
    long[] table = writableL2(l1Index);
    int idx = (int) ((pos >>> clusterBits) & ((1 << l2Bits) - 1));
    int wi = extended ? 2 * idx : idx;
    long word = table[wi];
    long bitmap = extended ? table[wi + 1] : 0;
    deferred = false;
    writeCluster(src, pos, l1Index, table, idx, wi, word, bitmap);
    if (deferred) {
      // The entry now points at data still in the run: remember how to take it back.
      noteRunEntry(table, wi, word, bitmap);
    }
  }

  private void writeCluster(ByteBuffer src, long pos, long l1Index, long[] table, int idx, int wi,
      long word, long bitmap) throws IOException {
    long cStart = pos & ~clusterMask;
    int off = (int) (pos & clusterMask);
    int n = src.remaining();

    if ((word & L2Entry.COMPRESSED) != 0) {
      if (externalData) {
        throw disk.corrupt(l1Index, idx, "compressed cluster in an image with an external data file");
      }
      long host = allocate(1);
      writeWholeCluster(host, cStart, off, src, false);
      table[wi] = host | L2Entry.COPIED;
      if (extended) {
        table[wi + 1] = ALL_ALLOC;
      }
      freeCompressedLater(word);
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
      boolean owned = externalData || (word & L2Entry.COPIED) != 0
          || refcounts.get(host >>> clusterBits) == 1;
      if (owned) {
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
      long fresh = allocate(1);
      writeWholeCluster(fresh, cStart, off, src, false);
      table[wi] = fresh | L2Entry.COPIED;
      if (extended) {
        table[wi + 1] = ALL_ALLOC;
      }
      freeLater(host, clusterSize, PendingFree.Kind.DATA);
      return;
    }
    if (extended && (int) bitmap != 0) {
      throw disk.corrupt(l1Index, idx, String.format(
          "subcluster bitmap 0x%016x marks subclusters allocated in an unallocated cluster",
          bitmap));
    }
    long fresh = externalData ? cStart : allocate(1);
    if (!extended) {
      if (!externalData && fresh >= data.size()
          && readsZero(cStart, (int) Math.min(clusterSize, disk.size() - cStart))) {
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

  /**
   * Allocates {@code n} clusters and checks, as QEMU's overlap checks do, that the allocator did
   * not hand out live metadata (which only wrong refcounts can cause): such an image is corrupt.
   */
  private long allocate(long n) throws IOException {
    long host = refcounts.allocate(n);
    for (long k = 0; k < n; k++) {
      long c = host + (k << clusterBits);
      String hit = null;
      if (c == 0) {
        hit = "qcow2_header";
      } else if (refcounts.isRefcountMetadata(c)) {
        hit = "refcount table or block";
      } else if (c + clusterSize > disk.l1Offset()
          && c < disk.l1Offset() + 8L * disk.l1().length) {
        hit = "active L1 table";
      } else if (activeL2.contains(c)) {
        hit = "active L2 table";
      } else if (bitmaps != null && bitmaps.isMetadata(c)) {
        hit = "bitmap directory or table";
      } else {
        for (long[] r : fixedMetadata) {
          if (c + clusterSize > r[0] && c < r[0] + r[1]) {
            hit = "snapshot table or inactive L1 table";
          }
        }
      }
      if (hit != null) {
        throw new CorruptImageException("cluster allocation", c,
            "Preventing invalid write on metadata (overlaps with " + hit
                + "); the refcounts are wrong");
      }
    }
    return host;
  }

  private void checkHost(long l1Index, int idx, long host, long cStart) throws IOException {
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
        writeRun();
        int at = src.position();
        data.write(src, host);
        src.position(at);
        dataWritten = true;
      }
      return;
    }
    ByteBuffer buf = scratchBuffer;
    readView(buf.clear().limit(off), cStart);
    readView(buf.limit(clusterSize).position(off + n), cStart + off + n);
    buf.position(off);
    int at = src.position();
    buf.put(src);
    src.position(at);
    buf.clear();
    writeRun();
    data.write(buf, host);
    dataWritten = true;
  }

  /**
   * Writes {@code src} (its remaining bytes; its position is left alone) at {@code host} of the
   * data file, joined to the pending run when it continues it in both the buffer and the file.
   */
  private void writeData(ByteBuffer src, long host) throws IOException {
    int at = src.position();
    int n = src.remaining();
    dataWritten = true;
    deferred = true;
    if (runBuffer == src && runFrom + runLength == at && runHost + runLength == host) {
      runLength += n;
      return;
    }
    writeRun();
    runBuffer = src;
    runFrom = at;
    runLength = n;
    runHost = host;
  }

  /** Writes the pending run, if any; when that fails, its entries are taken back. */
  private void writeRun() throws IOException {
    ByteBuffer b = runBuffer;
    if (b == null) {
      return;
    }
    int position = b.position();
    int limit = b.limit();
    try {
      b.limit(runFrom + runLength).position(runFrom);
      data.write(b, runHost);
    } catch (IOException | RuntimeException e) {
      abandonRun();
      throw e;
    } finally {
      b.limit(limit).position(position);
    }
    runBuffer = null;
    runEntries = 0;
  }

  /**
   * Called as a request ends: a run still pending here was never written (the request failed), so
   * the entries pointing at it get their old values back. Their new clusters stay allocated and
   * unreferenced (a leak), as when a data write fails before its entry changes; no decrement was
   * queued for them (only unallocated and owned clusters go through the run).
   */
  private void abandonRun() {
    for (int k = runEntries - 1; k >= 0; k--) {
      long[] t = runTables[k];
      int wi = runIndex[k];
      t[wi] = runOld[2 * k];
      if (extended) {
        t[wi + 1] = runOld[2 * k + 1];
      }
    }
    java.util.Arrays.fill(runTables, 0, runEntries, null);
    runEntries = 0;
    runBuffer = null;
  }

  private void noteRunEntry(long[] table, int wi, long word, long bitmap) throws IOException {
    if (runBuffer == null) {
      return;
    }
    if (runEntries == runTables.length) {
      writeRun();
      return;
    }
    runTables[runEntries] = table;
    runIndex[runEntries] = wi;
    runOld[2 * runEntries] = word;
    runOld[2 * runEntries + 1] = bitmap;
    runEntries++;
  }

  /**
   * Writes the subclusters {@code src} touches at {@code host} (partial ones completed from the
   * current view) and returns the new bitmap: those subclusters allocated, not zero.
   */
  private long writeSubclusters(long host, long cStart, int off, ByteBuffer src, long bitmap)
      throws IOException {
    int n = src.remaining();
    int mask = subclusterMask(off, n);
    int alloc = (int) bitmap;
    int zero = (int) (bitmap >>> 32);
    int unit = 1 << unitBits;
    int wStart = off & ~(unit - 1);
    int wEnd = ((off + n - 1) | (unit - 1)) + 1;
    if ((alloc & mask) == mask || (wStart == off && wEnd == off + n)) {
      writeData(src, host + off);
    } else {
      ByteBuffer buf = scratchBuffer;
      readView(buf.clear().position(wStart).limit(off), cStart + wStart);
      readView(buf.limit(wEnd).position(off + n), cStart + off + n);
      buf.position(off);
      int at = src.position();
      buf.put(src);
      src.position(at);
      buf.limit(wEnd).position(wStart);
      writeRun();
      data.write(buf, host + wStart);
    }
    dataWritten = true;
    alloc |= mask;
    zero &= ~mask;
    return (Integer.toUnsignedLong(zero) << 32) | Integer.toUnsignedLong(alloc);
  }

  /** Fills {@code dst} with the guest view at {@code pos}; zeros past the end of the disk. */
  private void readView(ByteBuffer dst, long pos) throws IOException {
    if (!dst.hasRemaining()) {
      return;
    }
    if (pos < disk.size()) {
      disk.readUnlocked(dst, pos);
    }
    io.github.qcow2nio.format.io.Buffers.zero(dst, dst.remaining());
  }

  /**
   * The L2 table for {@code l1Index}, ready to modify: allocated when absent, copied when shared
   * with a snapshot, marked dirty in the cache.
   */
  private long[] writableL2(long l1Index) throws IOException {
    l2Updates++;
    long[] l1 = disk.l1();
    if (l1Index >= l1.length) {
      throw new IllegalStateException("L1 index " + l1Index + " past the L1 table");
    }
    long e = l1[(int) l1Index];
    long off = L1Entry.l2Offset(e);
    if (off == 0) {
      long fresh = allocate(1);
      long[] t = new long[clusterSize / 8];
      l2Cache.putNew(fresh, t);
      setL1(l1Index, fresh | L1Entry.COPIED);
      return t;
    }
    if ((off & clusterMask) != 0) {
      throw new CorruptImageException("L1 table entry " + l1Index, disk.l1Offset() + 8 * l1Index,
          "L2 table offset 0x" + Long.toHexString(off) + " is not cluster-aligned");
    }
    if ((e & L1Entry.COPIED) != 0) {
      return l2Cache.getForUpdate(off, l1Index);
    }
    long rc = refcounts.get(off >>> clusterBits);
    if (rc == 0) {
      throw new CorruptImageException("L2 table (L1 index " + l1Index + ")", off,
          "is in use but its refcount is 0");
    }
    if (rc == 1) {
      setL1(l1Index, off | L1Entry.COPIED);
      return l2Cache.getForUpdate(off, l1Index);
    }
    long[] t = l2Cache.get(off, l1Index).clone();
    int step = extended ? 2 : 1;
    for (int i = 0; i < t.length; i += step) {
      long w = t[i];
      long h = w & L2Entry.OFFSET_MASK;
      if ((w & L2Entry.COMPRESSED) != 0 || h == 0 || externalData) {
        continue;
      }
      t[i] = refcounts.get(h >>> clusterBits) == 1 ? w | L2Entry.COPIED : w & ~L2Entry.COPIED;
    }
    long fresh = allocate(1);
    l2Cache.putNew(fresh, t);
    setL1(l1Index, fresh | L1Entry.COPIED);
    freeLater(off, clusterSize, PendingFree.Kind.L2_TABLE);
    return t;
  }

  private void setL1(long l1Index, long value) {
    long old = L1Entry.l2Offset(disk.l1()[(int) l1Index]);
    if (old != 0) {
      activeL2.remove(old);
    }
    long now = L1Entry.l2Offset(value);
    if (now != 0) {
      activeL2.add(now);
    }
    disk.l1()[(int) l1Index] = value;
    dirtyL1.set((int) l1Index);
  }

  // ------------------------------------------------------------------ zeros and discard

  private boolean backingCovers(long cStart) {
    return backing != null && backing.size() > cStart;
  }

  /** Makes a whole cluster read as zeros; {@code discard} also gives its storage back. */
  private void zeroWholeCluster(long cStart, boolean discard) throws IOException {
    long l1Index = cStart >>> l1Shift;
    int idx = (int) ((cStart >>> clusterBits) & ((1 << l2Bits) - 1));
    int len = (int) Math.min(clusterSize, disk.size() - cStart);
    boolean covered = backingCovers(cStart);
    if (dataFileRaw || (v2 && covered)) {
      // No zero flag to use (or the raw data file must hold the bytes): write real zeros.
      zeroPartial(cStart, len);
      return;
    }
    long e = disk.l1()[(int) l1Index];
    if (L1Entry.l2Offset(e) == 0 && !covered) {
      return;
    }
    long[] table = writableL2(l1Index);
    int wi = extended ? 2 * idx : idx;
    long word = table[wi];
    long host = word & L2Entry.OFFSET_MASK;
    boolean compressed = (word & L2Entry.COMPRESSED) != 0;
    boolean hasHost = !compressed && (host != 0 || (externalData && (word & L2Entry.COPIED) != 0));
    if (hasHost) {
      checkHost(l1Index, idx, host, cStart);
    }
    boolean owned = hasHost && (externalData || (word & L2Entry.COPIED) != 0
        || refcounts.get(host >>> clusterBits) == 1);
    boolean keep = hasHost && owned && !discard && !v2;
    if (compressed) {
      freeCompressedLater(word);
    } else if (hasHost && !keep && !externalData) {
      freeLater(host, clusterSize, PendingFree.Kind.DATA);
    }
    if (v2) {
      table[wi] = 0;
      return;
    }
    if (!extended) {
      if (keep) {
        table[wi] = host | L2Entry.COPIED | L2Entry.ZERO_FLAG;
      } else {
        table[wi] = (discard && !covered) ? 0 : L2Entry.ZERO_FLAG;
      }
    } else {
      table[wi] = keep ? host | L2Entry.COPIED : 0;
      table[wi + 1] = (discard && !covered) ? 0 : ALL_ZERO;
    }
  }

  /** Zeros part of one cluster, by subcluster bits where possible, else by writing zeros. */
  private void zeroPartial(long pos, int n) throws IOException {
    if (n <= 0 || readsZero(pos, n)) {
      return;
    }
    if (extended && !dataFileRaw) {
      int off = (int) (pos & clusterMask);
      int unit = 1 << unitBits;
      int first = (off + unit - 1) & ~(unit - 1);
      int last = (off + n) & ~(unit - 1);
      long size = disk.size();
      if (pos + n >= size && ((pos & ~clusterMask) + last) < size) {
        last = ((int) (size - (pos & ~clusterMask)) + unit - 1) & ~(unit - 1);
        last = Math.min(last, clusterSize);
      }
      if (first < last && zeroSubclusters(pos & ~clusterMask, first, last)) {
        if (first > off) {
          zeroPartial(pos, first - off);
        }
        if (pos + n > (pos & ~clusterMask) + last) {
          long from = (pos & ~clusterMask) + last;
          zeroPartial(from, (int) (pos + n - from));
        }
        return;
      }
    }
    ByteBuffer z = ByteBuffer.wrap(zeros, 0, n);
    try {
      writeCluster(z, pos);
      writeRun();
    } finally {
      abandonRun();
    }
  }

  /** Sets zero bits on whole subclusters {@code [first, last)} (byte offsets in the cluster). */
  private boolean zeroSubclusters(long cStart, int first, int last) throws IOException {
    long l1Index = cStart >>> l1Shift;
    int idx = (int) ((cStart >>> clusterBits) & ((1 << l2Bits) - 1));
    long[] table = writableL2(l1Index);
    long word = table[2 * idx];
    long host = word & L2Entry.OFFSET_MASK;
    if ((word & L2Entry.COMPRESSED) != 0) {
      return false;
    }
    boolean hasHost = host != 0 || (externalData && (word & L2Entry.COPIED) != 0);
    if (hasHost) {
      checkHost(l1Index, idx, host, cStart);
      boolean owned = externalData || (word & L2Entry.COPIED) != 0
          || refcounts.get(host >>> clusterBits) == 1;
      if (!owned) {
        return false;
      }
      table[2 * idx] = host | L2Entry.COPIED;
    } else if ((int) table[2 * idx + 1] != 0) {
      throw disk.corrupt(l1Index, idx, "subcluster bitmap marks subclusters allocated in an "
          + "unallocated cluster");
    }
    int m = subclusterMask(first, last - first);
    long bitmap = table[2 * idx + 1];
    int alloc = (int) bitmap & ~m;
    int zero = (int) (bitmap >>> 32) | m;
    table[2 * idx + 1] = (Integer.toUnsignedLong(zero) << 32) | Integer.toUnsignedLong(alloc);
    return true;
  }

  /** True when every unit of {@code [pos, pos + n)} already reads as zeros without host I/O. */
  private boolean readsZero(long pos, int n) throws IOException {
    long end = pos + n;
    long l1Index = pos >>> l1Shift;
    long[] table = disk.l2Table(l1Index);
    for (long p = pos; p < end; p = (p | ((1L << unitBits) - 1)) + 1) {
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

  // ------------------------------------------------------------------ resize

  private long sizeToL1(long size) {
    return (size + (1L << l1Shift) - 1) >>> l1Shift;
  }

  /**
   * Sets the size of a freshly created image (whose size is 0): the L1 table is allocated at
   * exactly the size the disk needs, as QEMU's creation does, and nothing is zeroed.
   */
  public void initialSize(long newSize) throws IOException {
    lock.writeLock().lock();
    try {
      grow(0, newSize, false);
      flushMetadata();
      forceAll();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Preallocates every cluster of the disk as {@code qemu-img create -o preallocation=} does: L2
   * tables and data clusters allocated (each L2 table followed by its data clusters), entries
   * normal and COPIED (with extended L2: host offset set, no subcluster allocated). With
   * {@code writeZeros} the data clusters are written with zeros; otherwise the file is only
   * extended to cover them.
   */
  public void preallocate(boolean writeZeros) throws IOException {
    lock.writeLock().lock();
    try {
      long size = disk.size();
      long clusters = (size + clusterMask) >>> clusterBits;
      long tables = sizeToL1(size);
      int perTable = 1 << l2Bits;
      long end = image.size();
      for (long t = 0; t < tables; t++) {
        ensureCacheRoom();
        long[] table = writableL2(t);
        long first = t << l2Bits;
        int n = (int) Math.min(perTable, clusters - first);
        long host = externalData ? first << clusterBits : allocate(n);
        for (int k = 0; k < n; k++) {
          long h = externalData ? (first + k) << clusterBits : host + ((long) k << clusterBits);
          if (extended) {
            table[2 * k] = h | L2Entry.COPIED;
            table[2 * k + 1] = 0;
          } else {
            table[k] = h | L2Entry.COPIED;
          }
        }
        if (!externalData) {
          end = Math.max(end, host + ((long) n << clusterBits));
          if (writeZeros) {
            writeZeroBytes(image, host, (long) n << clusterBits);
          }
        }
      }
      if (externalData) {
        if (writeZeros) {
          writeZeroBytes(data, 0, size);
        } else if (data.size() < size) {
          data.truncate(size);
        }
      } else if (image.size() < end) {
        image.truncate(end);
      }
      flushMetadata();
      forceAll();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void writeZeroBytes(HostFile f, long at, long length) throws IOException {
    ByteBuffer z = ByteBuffer.wrap(zeros);
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(zeros.length, length - done);
      z.clear().limit(n);
      f.write(z, at + done);
      done += n;
    }
  }

  /**
   * Grows the disk. The new size is only staged (written first by the next flush, before any L2
   * table that could map the grown part), unless the grown part needed zeroing: then the zeroing
   * is made durable first and the size written and forced after it, so that a durable new size
   * never exposes old data.
   */
  private void grow(long oldSize, long newSize, boolean zeroNewPart) throws IOException {
    long need = sizeToL1(newSize);
    if (need > Qcow2Limits.MAX_L1_BYTES / 8) {
      throw new Qcow2Exception(disk.name() + ": a disk of " + newSize + " bytes needs an L1 table "
          + "of " + need + " entries, over the 32 MiB limit (use bigger clusters)");
    }
    if (need > disk.l1().length) {
      growL1((int) need);
    }
    disk.setSize(newSize);
    boolean sizeSet = false;
    try {
      long updates = l2Updates;
      boolean dataBefore = dataWritten;
      if (zeroNewPart) {
        zeroGrownPart(oldSize, newSize);
      }
      if (l2Updates != updates || (dataWritten && !dataBefore)) {
        flushMetadata();
        // From here the header holds the new size (rewritten by the next flush if this fails).
        sizeSet = true;
        header.setSize(newSize);
        image.force();
      } else {
        sizeSet = true;
        header.stageSize(newSize);
      }
    } finally {
      if (!sizeSet) {
        // The header never saw the new size: the disk keeps the old one, so that a retry grows
        // (and zeroes) again instead of finding nothing to do.
        disk.setSize(oldSize);
      }
    }
  }

  /**
   * The grown part must read as zeros: the tail of the old last cluster may hold old data (from an
   * earlier shrink), and a longer backing file would otherwise show through.
   */
  private void zeroGrownPart(long oldSize, long newSize) throws IOException {
    long tailEnd = Math.min(newSize, ((oldSize + clusterMask) & ~clusterMask));
    long zeroEnd = Math.max(tailEnd, backing == null ? 0 : Math.min(newSize, backing.size()));
    long pos = oldSize;
    while (pos < zeroEnd) {
      long cStart = pos & ~clusterMask;
      long cEnd = Math.min(cStart + clusterSize, zeroEnd);
      if (pos == cStart && cEnd >= Math.min(cStart + clusterSize, newSize)) {
        zeroWholeCluster(cStart, false);
      } else if (!contentIsZero(pos, (int) (cEnd - pos))) {
        zeroPartial(pos, (int) (cEnd - pos));
      }
      pos = cEnd;
      ensureCacheRoom();
    }
  }

  /** True when the guest view of {@code [pos, pos + n)} (inside one cluster) is all zeros. */
  private boolean contentIsZero(long pos, int n) throws IOException {
    if (readsZero(pos, n)) {
      return true;
    }
    ByteBuffer buf = ByteBuffer.wrap(scratch, 0, n);
    readView(buf, pos);
    for (int i = 0; i < n; i++) {
      if (scratch[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Replaces the L1 table with a bigger copy: allocate, write, switch the header, free. */
  void growL1(int entries) throws IOException {
    flushMetadata();
    long[] old = disk.l1();
    long bytes = (long) entries * 8;
    long clusters = (bytes + clusterMask) >>> clusterBits;
    long off = allocate(clusters);
    refcounts.flush();
    forceAll();
    long[] grown = Arrays.copyOf(old, entries);
    ByteBuffer b = ByteBuffer.allocate((int) bytes);
    b.asLongBuffer().put(grown);
    image.write(b, off);
    image.force();
    long oldOffset = disk.l1Offset();
    int oldLength = old.length;
    // From the header's write on, the file may name either copy (a write that throws may still
    // have landed), so memory moves to the new one first: later L1 changes go there, and a
    // header write that failed is written again before the next flush's first force. The old
    // table is freed only once the switch is durable; a failure leaks it.
    disk.setL1(grown, off);
    header.setL1Table(entries, off);
    image.force();
    if (oldLength > 0) {
      freeLater(oldOffset, (long) oldLength * 8, PendingFree.Kind.TABLE);
    }
  }

  private void shrink(long oldSize, long newSize, boolean discardData) throws IOException {
    long firstCluster = (newSize + clusterMask) >>> clusterBits;
    long lastCluster = (oldSize + clusterMask) >>> clusterBits;
    long[] l1 = disk.l1();
    if (!discardData) {
      for (long c = firstCluster; c < lastCluster; c++) {
        long l1Index = c >>> l2Bits;
        long[] table = disk.l2Table(l1Index);
        if (table == null) {
          c = ((l1Index + 1) << l2Bits) - 1;
          continue;
        }
        int idx = (int) (c & ((1 << l2Bits) - 1));
        long word = extended ? table[2 * idx] : table[idx];
        boolean data = (word & L2Entry.COMPRESSED) != 0
            || (word & L2Entry.OFFSET_MASK) != 0 && (extended ? (int) table[2 * idx + 1] != 0
                : (word & L2Entry.ZERO_FLAG) == 0)
            || (externalData && (word & L2Entry.COPIED) != 0);
        if (data) {
          throw new Qcow2Exception(disk.name() + ": shrinking to " + newSize + " bytes would "
              + "discard data at guest offset 0x" + Long.toHexString(c << clusterBits)
              + " (allow discarding the data to shrink anyway)");
        }
      }
    }
    for (long c = firstCluster; c < lastCluster; c++) {
      long l1Index = c >>> l2Bits;
      if (L1Entry.l2Offset(l1[(int) l1Index]) == 0) {
        c = ((l1Index + 1) << l2Bits) - 1;
        continue;
      }
      ensureCacheRoom();
      long[] table = writableL2(l1Index);
      int idx = (int) (c & ((1 << l2Bits) - 1));
      int wi = extended ? 2 * idx : idx;
      long word = table[wi];
      long host = word & L2Entry.OFFSET_MASK;
      if ((word & L2Entry.COMPRESSED) != 0) {
        freeCompressedLater(word);
      } else if (host != 0 && !externalData) {
        freeLater(host, clusterSize, PendingFree.Kind.DATA);
      }
      table[wi] = 0;
      if (extended) {
        table[wi + 1] = 0;
      }
    }
    // L2 tables wholly past the new end are dropped; the L1 table keeps its size, as in QEMU.
    long keep = sizeToL1(newSize);
    for (long i = keep; i < l1.length; i++) {
      long off = L1Entry.l2Offset(l1[(int) i]);
      if (off != 0) {
        setL1(i, 0);
        freeLater(off, clusterSize, PendingFree.Kind.L2_TABLE);
      }
    }
    // The cleared entries are durable before the smaller size is written: otherwise a crash
    // in between, and a later grow, would bring the cut-off data back. Until the header is
    // reached the disk keeps its old size, so a retry shrinks again (clearing nothing twice).
    flushMetadata();
    disk.setSize(newSize);
    header.setSize(newSize);
  }

  // ------------------------------------------------------------------ ordering machinery

  private void freeLater(long offset, long length, PendingFree.Kind kind) {
    pendingFrees.add(new PendingFree(offset, offset + length, kind));
  }

  private void freeCompressedLater(long word) {
    CompressedDescriptor d = CompressedDescriptor.decode(word, clusterBits);
    long start = d.offset() & ~511L;
    long length = (d.additionalSectors() + 1L) * 512;
    freeLater(start, length, PendingFree.Kind.COMPRESSED);
  }

  /**
   * Ends a metadata operation. Clusters it dropped stay counted (a harmless, temporary leak) until
   * the next flush has made the drop durable; only a long backlog forces a flush now.
   */
  private void endOperation() throws IOException {
    if (pendingFrees.size() > 4096) {
      flushMetadata();
    }
    ensureCacheRoom();
  }

  /**
   * Applies the decrements whose dropping structures are durable (called by flushMetadata), one
   * host cluster at a time, taking each off the queue as it is applied: a failure part-way leaves
   * exactly the decrements not yet made, so a retried flush never applies one twice.
   */
  private void applyFrees() throws IOException {
    PendingFree f;
    while ((f = pendingFrees.peekFirst()) != null) {
      long cluster = f.start() >>> clusterBits;
      if (f.kind() == PendingFree.Kind.COMPRESSED) {
        // Readers cache decompressed clusters by host offset: this one may be reused.
        disk.compressedGeneration++;
      }
      refcounts.decrement(cluster);
      if (f.kind() == PendingFree.Kind.L2_TABLE && refcounts.get(cluster) == 0) {
        l2Cache.invalidate(cluster << clusterBits);
      }
      pendingFrees.pollFirst();
      PendingFree rest = f.after(cluster, clusterBits);
      if (rest != null) {
        pendingFrees.addFirst(rest);
      }
    }
  }

  private void ensureCacheRoom() throws IOException {
    if (l2Cache.dirtyCount() >= l2Cache.capacity() - 1) {
      flushMetadata();
    }
  }

  /**
   * Writes cached metadata in dependency order: data and refcounts (forced), then L2 tables
   * (forced), then L1 entries (forced); then applies pending refcount decrements and writes them
   * (not forced: a lost decrement is a leak).
   */
  void flushMetadata() throws IOException {
    writeRun();
    // Each step's writes are forced before the next step writes; `unforced` carries a force that
    // failed over to the retry, whose own steps may find nothing dirty.
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
    if (!dirtyL1.isEmpty()) {
      unforced = true;
      long[] l1 = disk.l1();
      long base = disk.l1Offset();
      int i = dirtyL1.nextSetBit(0);
      while (i >= 0) {
        int j = dirtyL1.nextClearBit(i);
        ByteBuffer b = ByteBuffer.allocate((j - i) * 8);
        b.asLongBuffer().put(l1, i, j - i);
        image.write(b, base + 8L * i);
        dirtyL1.clear(i, j);
        i = dirtyL1.nextSetBit(j);
      }
    }
    forceIfNeeded(false);
    if (!pendingFrees.isEmpty()) {
      applyFrees();
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

  private void forceAll() throws IOException {
    image.force();
    if (data != image) {
      data.force();
    }
  }

  private void beginMetadataChange() throws IOException {
    if (lazyRefcounts && !dirtyBitSet && !v2) {
      header.setIncompatibleFeatures(header.header().incompatibleFeatures()
          | Features.INCOMPAT_DIRTY);
      dirtyBitSet = true;
    }
  }

  void markCorrupt(CorruptImageException e) {
    if (failed) {
      return;
    }
    failed = true;
    if (!v2) {
      try {
        synchronized (this) {
          header.setIncompatibleFeatures(header.header().incompatibleFeatures()
              | Features.INCOMPAT_CORRUPT);
        }
      } catch (IOException ignored) {
        // The image is already unusable; the corruption itself is what gets reported.
      }
    }
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
