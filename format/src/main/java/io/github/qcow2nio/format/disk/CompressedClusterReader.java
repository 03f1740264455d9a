package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.codec.ClusterCodec;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;

/**
 * Guest bytes of compressed clusters: the compressed cluster descriptor's host sectors read and
 * decompressed into a whole cluster.
 *
 * <p>Guests read a compressed cluster in pieces smaller than the cluster, and each piece would
 * otherwise decompress all of it again, so every thread keeps the cluster it decompressed last.
 * A thread that reads new clusters in ascending order has the next ones decompressed ahead of
 * it on the other cores ({@link ReadAhead}).
 */
final class CompressedClusterReader {
  private final Qcow2Disk disk;
  private final HostFile image;
  private final ClusterCodec codec;
  private final int clusterBits;
  private final long clusterMask;
  private final int l1Shift;
  private final int l2Mask;
  private final boolean extended;
  /** The compressed descriptor's fields, decoded per cluster without a record. */
  private final long offsetMask;
  private final int countShift;
  private final long countMask;
  private final ThreadLocal<Cached> cached;
  /** The read-ahead's own threads' input buffers. */
  private final ThreadLocal<Cached> aheadBuffers;
  private final ReadAhead ahead;
  /** Bumped whenever compressed bytes are freed, so no thread serves a stale decompressed copy. */
  private volatile long generation;

  /** The last compressed cluster this thread decompressed, kept for the next small read. */
  private static final class Cached {
    final byte[] in;
    /** Over {@link #in}, reused rather than wrapped anew for every cluster. */
    final ByteBuffer inBuffer;
    byte[] out;
    long word = -1;
    long generation;
    /** The guest cluster last decompressed (or taken from read-ahead) and the ascending run. */
    long lastCluster = -1;
    int ascending;

    Cached(int clusterBits, boolean withOut) {
      in = new byte[(1 << clusterBits) * 2 + 512];
      inBuffer = ByteBuffer.wrap(in);
      out = withOut ? new byte[1 << clusterBits] : null;
    }
  }

  /** @param disk names the L2 entry in corruption errors */
  CompressedClusterReader(Qcow2Disk disk, HostFile image, ClusterCodec codec, int clusterBits) {
    this.disk = disk;
    this.image = image;
    this.codec = codec;
    this.clusterBits = clusterBits;
    this.clusterMask = (1L << clusterBits) - 1;
    ClusterGeometry g = disk.layout().geometry();
    this.l1Shift = g.l1Shift();
    this.l2Mask = (1 << g.l2Bits()) - 1;
    this.extended = g.extended();
    this.offsetMask = CompressedDescriptor.offsetMask(clusterBits);
    this.countShift = CompressedDescriptor.offsetBits(clusterBits);
    this.countMask = CompressedDescriptor.countMask(clusterBits);
    this.cached = ThreadLocal.withInitial(() -> new Cached(clusterBits, true));
    this.aheadBuffers = ThreadLocal.withInitial(() -> new Cached(clusterBits, false));
    this.ahead = new ReadAhead(this, disk.name(), clusterBits);
  }

  /**
   * Compressed bytes were freed and their host sectors may be reused: every thread's copy is
   * stale. Called under the disk's write lock, so the increment never races another.
   */
  void invalidate() {
    generation++;
  }

  ReadAhead readAhead() {
    return ahead;
  }

  /** Stops decompressing ahead (the image is closing). */
  void close() {
    ahead.close();
  }

  /**
   * Puts {@code len} guest bytes from {@code pos} on, inside the compressed cluster described by
   * L2 entry {@code word} (entry {@code idx} of the table at {@code l1Index}), into {@code dst}.
   */
  void read(ByteBuffer dst, long word, long l1Index, int idx, long pos, int len)
      throws IOException {
    Cached c = cached.get();
    long gen = generation;
    if (c.word != word || c.generation != gen) {
      c.word = -1;
      long cluster = pos >>> clusterBits;
      if (ascending(c, cluster)) {
        ahead.schedule(cluster + 1);
      }
      byte[] ready = ahead.take(cluster, word, gen, c.out);
      if (ready != null) {
        c.out = ready;
      } else {
        int length = readCompressed(c, word, l1Index, idx);
        decompress(c, length, c.out, l1Index, idx, word);
      }
      c.word = word;
      c.generation = gen;
    }
    dst.put(c.out, (int) (pos & clusterMask), len);
  }

  /**
   * Whether this thread is reading new clusters in ascending order, close together (NORMAL or
   * zero clusters between compressed ones do not break the run): only then is reading ahead
   * worth its work, so a random reader costs the pool nothing.
   */
  private boolean ascending(Cached c, long cluster) {
    long last = c.lastCluster;
    c.lastCluster = cluster;
    if (cluster > last && cluster - last <= ahead.window()) {
      if (c.ascending < ReadAhead.SEQUENTIAL_READS) {
        c.ascending++;
      }
      return c.ascending >= ReadAhead.SEQUENTIAL_READS;
    }
    c.ascending = 0;
    return false;
  }

  /**
   * For {@link ReadAhead}, on its own thread: decompresses guest cluster {@code cluster} into
   * {@code out} if it is compressed, and puts the L2 entry and the generation it was read under
   * into {@code found}. False, with nothing done, when the cluster is not compressed or a writer
   * holds the disk (a reader may be waiting for this task while that writer waits for the
   * reader). Errors are the caller's to drop: the reader meets them again if it reads there.
   */
  boolean loadAhead(long cluster, byte[] out, long[] found) throws IOException {
    Cached c = aheadBuffers.get();
    Qcow2DiskWriter w = disk.writer();
    Lock lock = w == null ? null : w.lock.readLock();
    if (lock != null && !lock.tryLock()) {
      return false;
    }
    long word;
    long l1Index;
    int idx;
    int length;
    try {
      long pos = cluster << clusterBits;
      if (pos < 0 || pos >= disk.size()) {
        return false;
      }
      l1Index = pos >>> l1Shift;
      long[] table = disk.l2Table(l1Index);
      if ((disk.map(table, l1Index, pos) & Qcow2Disk.TYPE_MASK) != Qcow2Disk.COMPRESSED) {
        return false;
      }
      idx = (int) (cluster & l2Mask);
      word = table[extended ? 2 * idx : idx];
      found[1] = generation;
      length = readCompressed(c, word, l1Index, idx);
    } finally {
      if (lock != null) {
        lock.unlock();
      }
    }
    decompress(c, length, out, l1Index, idx, word);
    found[0] = word;
    return true;
  }

  /** Reads the compressed bytes of L2 entry {@code word} into {@code c.in}; returns how many. */
  private int readCompressed(Cached c, long word, long l1Index, int idx) throws IOException {
    long offset = word & offsetMask;
    int sectors = (int) ((word >>> countShift) & countMask);
    if (offset == 0) {
      throw outside(offset, l1Index, idx);
    }
    // As CompressedDescriptor.readLength: to the end of the last sector the descriptor covers.
    int length = (sectors + 1) * 512 - (int) (offset & 511);
    // The sectors may run past EOF; QEMU reads that part as zeros, and a stream may need them
    // (a zstd frame can end in a zero byte that a writer trimmed away), so do the same. Not one
    // byte from the file means the offset is at or past its end: the descriptor is wrong, not
    // the data. (The count the read returns says so without asking the file's size, a system
    // call per cluster.)
    if (image.readOrZero(c.inBuffer.clear().limit(length), offset) == 0) {
      throw outside(offset, l1Index, idx);
    }
    return length;
  }

  private CorruptImageException outside(long offset, long l1Index, int idx) {
    return disk.corrupt(l1Index, idx, "compressed data offset 0x" + Long.toHexString(offset)
        + " lies outside " + image.name());
  }

  private void decompress(Cached c, int length, byte[] out, long l1Index, int idx, long word)
      throws IOException {
    try {
      codec.decompress(c.in, length, out, 1 << clusterBits);
    } catch (IOException e) {
      long offset = word & offsetMask;
      throw new CorruptImageException("compressed cluster (L2 entry " + idx + ", L1 index "
          + l1Index + ")", offset, e.getMessage(), e);
    }
  }
}
