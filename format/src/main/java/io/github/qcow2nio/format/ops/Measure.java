package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.MeasureOptions;
import io.github.qcow2nio.format.MeasureResult;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@code qemu-img measure}: the bytes a new image would take, by qemu-img 7.2's arithmetic. A
 * fully allocated qcow2 image is one header cluster, every L2 table, the L1 table rounded up to
 * whole clusters, the refcount blocks and table that count all of that (their fixed point), and
 * the data; what is required drops the data clusters the source leaves zero or unallocated.
 */
public final class Measure {
  private static final int RAW_BLOCK = 4096;

  private Measure() {}

  public static MeasureResult run(MeasureOptions o, ProgressListener listener)
      throws IOException {
    if (o.source() == null) {
      return measure(o, o.size(), -1, null, listener);
    }
    try (SourceChain source = SourceChain.open(o.source())) {
      long ssize = source.size();
      return measure(o, ssize, ssize, source, listener);
    }
  }

  private static MeasureResult measure(MeasureOptions o, long size, long ssize,
      SourceChain source, ProgressListener listener) throws IOException {
    CreateOptions c = o.create();
    if (o.targetFormat().equals("raw")) {
      long required = source != null ? ssize : (size + 511) & ~511L;
      return new MeasureResult(required, required, -1);
    }
    long cluster = c.clusterSize();
    if (Long.bitCount(cluster) != 1 || cluster < 512 || cluster > (2 << 20)) {
      throw new UnsupportedImageException(
          "Cluster size must be a power of two between 512 and 2048k");
    }
    if (c.extendedL2() && (c.version() < 3 || cluster < 16384)) {
      throw new UnsupportedImageException(c.version() < 3
          ? "Extended L2 entries are only supported with compatibility level 1.1 and above (use"
              + " compat=1.1 or greater)"
          : "Extended L2 entries are only supported with cluster sizes of at least 16384 bytes");
    }
    if (c.refcountBits() != 16 && c.version() < 3) {
      throw new UnsupportedImageException("Different refcount widths than 16 bits require"
          + " compatibility level 1.1 or above (use compat=1.1 or greater)");
    }
    int l2EntrySize = c.extendedL2() ? 16 : 8;
    long virtualSize = roundUp(size, cluster);
    long l2Tables = ceilDiv(virtualSize / cluster, cluster / l2EntrySize);
    if (l2Tables * 8 > Qcow2Limits.MAX_L1_BYTES) {
      throw new UnsupportedImageException(
          "The image size is too large (try using a larger cluster size)");
    }
    long required = 0;
    if (source != null) {
      virtualSize = roundUp(ssize, cluster);
      required = c.backingFile() != null ? virtualSize
          : dataClusters(source, ssize, cluster, listener);
    }
    if (c.preallocation() == CreateOptions.Preallocation.FULL
        || c.preallocation() == CreateOptions.Preallocation.FALLOC) {
      required = virtualSize;
    }
    long full = preallocSize(virtualSize, cluster, Integer.numberOfTrailingZeros(
        c.refcountBits()), l2EntrySize);
    long bitmaps = -1;
    if (c.version() >= 3 && source != null && source.image() != null
        && source.image().header().version() >= 3) {
      bitmaps = bitmapsSize(source.image(), cluster);
    }
    return new MeasureResult(full - virtualSize + required, full, bitmaps);
  }

  /** The bytes of target clusters that hold data, as qemu-img counts them. */
  private static long dataClusters(SourceChain source, long ssize, long cluster,
      ProgressListener listener) throws IOException {
    ChainStatus status = new ChainStatus(source);
    long required = 0;
    long disk = source.disk().size();
    for (long offset = 0, n; offset < ssize; offset += n) {
      Convert.checkCancelled(listener);
      if (offset >= disk) {
        break;
      }
      ChainStatus.Run run = status.at(offset, disk - offset);
      n = run.length();
      boolean data = run.data();
      if (data && run.offsetValid()) {
        // QEMU asks the host file where it has holes and counts them as zeros; Java cannot,
        // so a host block of 4 KiB that reads as zeros counts as a hole.
        n = hostData(source.layers().get(run.depth()), offset, n, run.hostOffset());
        data = n > 0;
        n = Math.abs(n);
      }
      if (data) {
        n = roundUp(offset + n, cluster) - offset;
        required += offset % cluster + n;
      }
      listener.progress(Math.min(offset + n, ssize), ssize);
    }
    return required;
  }

  /**
   * The run at guest {@code offset} (stored from {@code host} on) that is all data (positive
   * length) or all holes (negative): whole host blocks of 4 KiB reading as zeros are holes, a
   * block the run covers only in part is data.
   */
  private static long hostData(VirtualDisk layer, long offset, long length, long host)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(RAW_BLOCK);
    long done = 0;
    Boolean first = null;
    while (done < length && done < Convert.CHUNK) {
      long h = host + done;
      long blockEnd = Math.min(roundUp(h + 1, RAW_BLOCK) - host, length);
      boolean whole = h % RAW_BLOCK == 0 && blockEnd - done == RAW_BLOCK;
      boolean zero = whole && isZero(layer, offset + done, buf);
      if (first == null) {
        first = !zero;
      } else if (first == zero) {
        break;
      }
      done = blockEnd;
    }
    return first ? done : -done;
  }

  private static boolean isZero(VirtualDisk layer, long offset, ByteBuffer buf)
      throws IOException {
    buf.clear();
    layer.read(buf, offset);
    for (int i = 0; i + 8 <= buf.position(); i += 8) {
      if (buf.getLong(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** qemu's qcow2_calc_prealloc_size. */
  static long preallocSize(long totalSize, long cluster, int refcountOrder, int l2EntrySize) {
    long aligned = roundUp(totalSize, cluster);
    long meta = cluster;
    long l2Entries = roundUp(aligned / cluster, cluster / l2EntrySize);
    meta += l2Entries * l2EntrySize;
    long l1Entries = roundUp(l2Entries * l2EntrySize / cluster, cluster / 8);
    meta += l1Entries * 8;
    meta += refcountMetadataSize((meta + aligned) / cluster, cluster, refcountOrder);
    return meta + aligned;
  }

  /** The refcount blocks and table clusters that count {@code clusters} and themselves. */
  static long refcountMetadataSize(long clusters, long cluster, int refcountOrder) {
    long perTableCluster = cluster / 8;
    long perBlock = cluster * 8 / (1L << refcountOrder);
    long table = 0;
    long blocks = 0;
    long n = 0;
    long last;
    do {
      last = n;
      blocks = ceilDiv(clusters + table + blocks, perBlock);
      table = ceilDiv(blocks, perTableCluster);
      n = clusters + blocks + table;
    } while (n != last);
    return (blocks + table) * cluster;
  }

  /** What the source's persistent bitmaps would take in a target with these clusters. */
  private static long bitmapsSize(Qcow2Image image, long cluster) {
    long size = 0;
    long directory = 0;
    long diskSize = image.header().size();
    for (BitmapDirectoryEntry b : image.bitmaps()) {
      long bytes = ceilDiv(ceilDiv(diskSize, b.granularity()), 8);
      long clusters = ceilDiv(bytes, cluster);
      size += clusters * cluster + roundUp(clusters * 8, cluster);
      directory += roundUp(BitmapDirectoryEntry.FIXED_SIZE
          + b.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, 8);
    }
    return size + roundUp(directory, cluster);
  }

  private static long roundUp(long v, long m) {
    return (v + m - 1) / m * m;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
