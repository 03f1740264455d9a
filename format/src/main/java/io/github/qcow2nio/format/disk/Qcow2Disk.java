package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.codec.ClusterCodec;
import io.github.qcow2nio.format.crypto.ImageEncryption;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.Buffers;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.struct.L1Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read path of one qcow2 layer: guest offsets mapped through an L1 table and L2 tables to host
 * clusters, zeros, compressed clusters, or the backing disk.
 *
 * <p>A read walks the request in runs: consecutive clusters (or subclusters) of the same kind are
 * served together, so contiguous host data is one host read straight into the caller's buffer and
 * zero or unallocated ranges cost no host I/O at all.
 *
 * <p>The read path's parts with a job of their own sit beside it: {@code L2Mapping} (what an L2
 * entry says, checked), {@code CompressedClusterReader} and {@code BlockStatus}.
 */
public final class Qcow2Disk implements VirtualDisk {
  static final int UNALLOCATED = 0;
  static final int ZERO = 1;
  static final int NORMAL = 2;
  static final int COMPRESSED = 3;
  static final long TYPE_MASK = 3;

  private final String name;
  private final HostFile image;
  private final HostFile data;
  private final DiskLayout layout;
  private volatile long[] l1;
  private volatile long l1Offset;
  private volatile long size;
  private final L2Cache l2Cache;
  private final VirtualDisk backing;

  private final int clusterBits;
  private final long clusterMask;
  private final int l1Shift;
  private final int l2Mask;
  private final int unitBits;
  private final long unitMask;
  private final boolean extended;
  private final L2Mapping mapping;
  private final CompressedClusterReader compressed;
  private final BlockStatus blockStatus;
  /** Decrypts data clusters of an encrypted image; null when it is not encrypted. */
  private final EncryptedClusterReader encrypted;
  /** The write path; null for a read-only disk. */
  private Qcow2DiskWriter writer;

  /**
   * @param data where guest data lives: the image file itself, or the external data file
   * @param l1 the raw L1 entries; index past its end reads as unallocated
   * @param backing the disk below, or null
   * @param encryption the cipher of an encrypted image's data clusters, or null; compressed
   *     clusters are never encrypted (QEMU stores them in the clear)
   */
  public Qcow2Disk(String name, HostFile image, HostFile data, DiskLayout layout, long[] l1,
      long l1Offset, L2Cache l2Cache, ClusterCodec codec, VirtualDisk backing,
      ImageEncryption encryption) {
    this.name = name;
    this.encrypted = encryption == null ? null : new EncryptedClusterReader(data, encryption);
    this.image = image;
    this.data = data;
    this.layout = layout;
    this.l1 = l1;
    this.l1Offset = l1Offset;
    this.size = layout.size();
    this.l2Cache = l2Cache;
    this.backing = backing;
    // The geometry's values, kept in fields for the read path's hot loops.
    ClusterGeometry g = layout.geometry();
    this.clusterBits = g.clusterBits();
    this.clusterMask = g.clusterMask();
    this.l1Shift = g.l1Shift();
    this.l2Mask = (1 << g.l2Bits()) - 1;
    this.extended = g.extended();
    this.unitBits = g.unitBits();
    this.unitMask = (1L << unitBits) - 1;
    this.mapping = new L2Mapping(this);
    this.compressed = new CompressedClusterReader(this, image, codec, clusterBits);
    this.blockStatus = new BlockStatus(this, encryption != null);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String name() {
    return name;
  }

  /** The disk below this one, or null. */
  public VirtualDisk backing() {
    return backing;
  }

  @Override
  public int read(ByteBuffer dst, long offset) throws IOException {
    if (writer == null) {
      return readUnlocked(dst, offset);
    }
    writer.lock.readLock().lock();
    try {
      return readUnlocked(dst, offset);
    } catch (CorruptImageException e) {
      // As QEMU does on a writable image: corruption found while reading also stops writes.
      writer.markCorrupt(e);
      throw e;
    } finally {
      writer.lock.readLock().unlock();
    }
  }

  int readUnlocked(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    long size = this.size;
    if (offset >= size) {
      return -1;
    }
    int n = (int) Math.min(dst.remaining(), size - offset);
    int limit = dst.limit();
    dst.limit(dst.position() + n);
    try {
      long pos = offset;
      long end = offset + n;
      while (pos < end) {
        pos = readRun(dst, pos, end);
      }
    } finally {
      dst.limit(limit);
    }
    return n;
  }

  /** Serves the longest run of same-kind units starting at {@code pos}; returns where it ended. */
  private long readRun(ByteBuffer dst, long pos, long end) throws IOException {
    long l1Index = pos >>> l1Shift;
    long[] table = l2Table(l1Index);
    long tableEnd = Math.min(end, (l1Index + 1) << l1Shift);
    long first = mapping.map(table, l1Index, pos);
    int type = (int) (first & TYPE_MASK);
    if (type == COMPRESSED) {
      long clusterEnd = Math.min(tableEnd, (pos | clusterMask) + 1);
      int idx = (int) ((pos >>> clusterBits) & l2Mask);
      compressed.read(dst, table[extended ? 2 * idx : idx], l1Index, idx, pos,
          (int) (clusterEnd - pos));
      return clusterEnd;
    }
    long hostStart = (first & ~TYPE_MASK) + (pos & unitMask);
    long runEnd = Math.min(tableEnd, (pos | unitMask) + 1);
    while (runEnd < tableEnd) {
      long next = mapping.map(table, l1Index, runEnd);
      if ((int) (next & TYPE_MASK) != type
          || (type == NORMAL && (next & ~TYPE_MASK) != hostStart + (runEnd - pos))) {
        break;
      }
      runEnd = Math.min(tableEnd, runEnd + (1L << unitBits));
    }
    int len = (int) (runEnd - pos);
    switch (type) {
      case NORMAL -> {
        if (encrypted != null) {
          encrypted.read(dst, hostStart, pos, len);
        } else {
          readHost(dst, hostStart, len);
        }
      }
      case ZERO -> Buffers.zero(dst, len);
      default -> readBacking(dst, pos, len);
    }
    return runEnd;
  }

  long[] l2Table(long l1Index) throws IOException {
    if (l1Index >= l1.length) {
      return null;
    }
    long entry = l1[(int) l1Index];
    long l2Offset = L1Entry.l2Offset(entry);
    if (l2Offset == 0) {
      return null;
    }
    if ((l2Offset & clusterMask) != 0) {
      throw new CorruptImageException("L1 table entry " + l1Index, l1Offset + 8 * l1Index,
          "L2 table offset 0x" + Long.toHexString(l2Offset) + " is not cluster-aligned");
    }
    return l2Cache.get(l2Offset, l1Index);
  }

  /**
   * The kind of the unit holding {@code pos}, in the low two bits, and for NORMAL units the host
   * offset of the unit's start in the rest (host offsets are at least 512-aligned).
   */
  long map(long[] table, long l1Index, long pos) throws IOException {
    return mapping.map(table, l1Index, pos);
  }

  CorruptImageException corrupt(long l1Index, int idx, String problem) {
    long l2Offset = L1Entry.l2Offset(l1[(int) l1Index]);
    long at = l2Offset + (long) idx * (extended ? 16 : 8);
    return new CorruptImageException("L2 entry " + idx + " (L1 index " + l1Index + ")", at,
        problem);
  }

  private void readHost(ByteBuffer dst, long host, int len) throws IOException {
    int limit = dst.limit();
    dst.limit(dst.position() + len);
    try {
      data.readOrZero(dst, host);
    } finally {
      dst.limit(limit);
    }
  }

  private void readBacking(ByteBuffer dst, long pos, int len) throws IOException {
    long fromBacking = backing == null ? 0 : Math.max(0, Math.min(len, backing.size() - pos));
    if (fromBacking > 0) {
      int limit = dst.limit();
      dst.limit(dst.position() + (int) fromBacking);
      try {
        backing.read(dst, pos);
      } finally {
        dst.limit(limit);
      }
    }
    Buffers.zero(dst, len - (int) fromBacking);
  }

  /**
   * The longest run starting at guest {@code offset} of units (clusters, or subclusters with
   * extended L2 entries) of one type whose host storage, if any, is contiguous: at most
   * {@code maxLength} bytes, and never past the end of the disk; runs go on across L2 tables.
   * This layer only; walk {@link #backing()} for UNALLOCATED runs. Compressed runs are one cluster.
   */
  @Override
  public Extent blockStatus(long offset, long maxLength) throws IOException {
    if (writer == null) {
      return EncryptedClusterReader.withoutHostOffset(encrypted, blockStatus.at(offset, maxLength));
    }
    writer.lock.readLock().lock();
    try {
      return EncryptedClusterReader.withoutHostOffset(encrypted, blockStatus.at(offset, maxLength));
    } finally {
      writer.lock.readLock().unlock();
    }
  }

  // ---- package-private access for the write path (all under its lock) ----

  DiskLayout layout() {
    return layout;
  }

  /** The live L1 entries (callers must not modify them). */
  public long[] l1() {
    return l1;
  }

  void setL1(long[] table, long offset) {
    this.l1 = table;
    this.l1Offset = offset;
  }

  long l1Offset() {
    return l1Offset;
  }

  void setSize(long newSize) {
    this.size = newSize;
  }

  /** The compressed-cluster reader, told by the write path when compressed bytes are freed. */
  CompressedClusterReader compressedClusters() {
    return compressed;
  }

  HostFile imageFile() {
    return image;
  }

  HostFile dataFile() {
    return data;
  }

  /** Where the write path puts guest data: {@link #dataFile()}, encrypting for a LUKS image. */
  HostFile guestDataFile() {
    return encrypted == null ? data : encrypted.encryptingFile();
  }

  boolean isEncrypted() {
    return encrypted != null;
  }

  L2Cache l2Cache() {
    return l2Cache;
  }

  /** Turns on the write path: called once, by the image that opened this disk writable. */
  public void enableWrites(Qcow2DiskWriter w) {
    this.writer = w;
  }

  /** The write path, or null when read-only. */
  public Qcow2DiskWriter writer() {
    return writer;
  }

  @Override
  public boolean isWritable() {
    return writer != null && !writer.isFailed();
  }

  @Override
  public void write(ByteBuffer src, long offset) throws IOException {
    requireWriter().write(src, offset);
  }

  @Override
  public void writeZeros(long offset, long length) throws IOException {
    requireWriter().zeroRange(offset, length, false);
  }

  @Override
  public void discard(long offset, long length) throws IOException {
    requireWriter().zeroRange(offset, length, true);
  }

  /**
   * Drops every cluster of this layer, so that the whole disk reads from the backing file (or as
   * zeros without one): QEMU's make_empty, which {@code qemu-img commit} runs on the overlay once
   * its data is in the backing file. Snapshots keep their clusters. Only for a caller that knows
   * the backing file reads what this layer holds: otherwise the guest sees different data.
   */
  public void makeEmpty() throws IOException {
    requireWriter().zeroRange(0, size, true, ZeroWriter.Backing.EXPOSE);
  }

  /**
   * Makes {@code [offset, offset + length)} read as zeros, storing them (zero flags, or zeros
   * where the image has none) even where the range reads zeros already because the backing file
   * ends before it: what a rebase onto a longer backing file needs, so that the new file does
   * not show through there.
   */
  public void writeZerosOverBacking(long offset, long length) throws IOException {
    requireWriter().zeroRange(offset, length, false, ZeroWriter.Backing.HIDE);
  }

  @Override
  public void resize(long newSize) throws IOException {
    requireWriter().resize(newSize, false);
  }

  /**
   * Resizes; when shrinking with {@code discardData}, clusters past the new end are dropped even if
   * they hold data (as {@code qemu-img resize --shrink}); without it such a shrink is refused.
   */
  @Override
  public void resize(long newSize, boolean discardData) throws IOException {
    requireWriter().resize(newSize, discardData);
  }

  @Override
  public void flush() throws IOException {
    if (writer != null) {
      writer.flush();
    }
  }

  private Qcow2DiskWriter requireWriter() throws IOException {
    if (writer == null) {
      throw new io.github.qcow2nio.format.error.ReadOnlyDiskException(name + " is read-only");
    }
    return writer;
  }

  /** Stops decompressing ahead; closes no file: the image that made this disk owns them. */
  @Override
  public void close() {
    compressed.close();
  }
}
