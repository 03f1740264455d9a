package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.codec.ClusterCompressor;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;

/**
 * A qcow2 disk whose writes are stored compressed where QEMU's {@code compress} filter would
 * store them: every whole guest cluster a write covers (the last, partial cluster of the disk
 * counts when the write reaches the disk's end) that has no host storage yet (unallocated, or a
 * zero cluster without a host cluster) is compressed with the image's compression type and
 * packed after the previous compressed cluster; partial clusters, clusters that already have
 * storage, and clusters that do not compress to less than a cluster are written normally (QEMU's
 * filter would fail those with an I/O error instead). Reads, zeros, discards, resizes and
 * flushes go straight to the disk.
 *
 * <p>The clusters of one write are compressed in parallel on this disk's worker threads and
 * placed in guest order before the write returns, so a failed write costs at most its own
 * clusters. Writes from many threads are safe; each runs its own clusters through the shared
 * workers. {@link #close()} stops the workers; the image still owns its files.
 */
public final class CompressingDisk extends ForwardingDisk {
  private final Qcow2Disk disk;
  private final Qcow2DiskWriter writer;
  private final ClusterCompressor compressor;
  private final ExecutorService pool;
  private final int threads;
  private final int clusterSize;
  private final long clusterMask;

  /** Compresses on one worker thread per core. */
  public CompressingDisk(Qcow2Disk disk) throws IOException {
    this(disk, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @throws UnsupportedImageException when the image keeps its data in an external data file
   *     (QEMU refuses compressed writes there: "Operation not supported")
   */
  public CompressingDisk(Qcow2Disk disk, int threads) throws IOException {
    super(withInternalData(disk));
    this.disk = disk;
    this.writer = disk.writer();
    this.threads = Math.max(1, threads);
    this.clusterSize = 1 << disk.layout().clusterBits();
    this.clusterMask = clusterSize - 1L;
    this.compressor = writer == null ? null
        : ClusterCompressor.forType(writer.compressionType(), disk.name());
    this.pool = writer == null ? null : CompressionPipeline.newPool(this.threads);
  }

  private static Qcow2Disk withInternalData(Qcow2Disk disk) throws UnsupportedImageException {
    if (disk.layout().externalData()) {
      throw new UnsupportedImageException(disk.name() + ": compressed writes are not supported"
          + " with an external data file (Operation not supported)");
    }
    return disk;
  }

  /** The disk below. */
  public Qcow2Disk disk() {
    return disk;
  }

  @Override
  public boolean isWritable() {
    return disk.isWritable();
  }

  @Override
  public void write(ByteBuffer src, long offset) throws IOException {
    if (writer == null) {
      disk.write(src, offset);
      return;
    }
    long size = disk.size();
    long end = offset + src.remaining();
    if (offset < 0 || end > size) {
      // The disk's own refusal, with its message.
      disk.write(src, offset);
      return;
    }
    long firstWhole = (offset + clusterMask) & ~clusterMask;
    long pos = offset;
    CompressionPipeline pipeline = null;
    int limit = src.limit();
    try {
      while (pos < end) {
        long cStart = pos & ~clusterMask;
        long cEnd = Math.min(cStart + clusterSize, size);
        int n = (int) (Math.min(cEnd, end) - pos);
        boolean whole = pos == cStart && pos >= firstWhole && cEnd <= end;
        src.limit(src.position() + n);
        if (whole && writer.compressible(cStart)) {
          if (pipeline == null) {
            pipeline = new CompressionPipeline(pool, compressor, clusterSize, 2 * threads, false);
          }
          CompressionPipeline.Job j = pipeline.job(cStart, n);
          src.get(j.raw, 0, n);
          java.util.Arrays.fill(j.raw, n, clusterSize, (byte) 0);
          pipeline.submit(j, this::place);
        } else {
          if (pipeline != null) {
            pipeline.drain(this::place);
          }
          int at = src.position();
          disk.write(src, pos);
          src.position(at + n);
        }
        src.limit(limit);
        pos += n;
      }
      if (pipeline != null) {
        pipeline.drain(this::place);
      }
    } finally {
      src.limit(limit);
      if (pipeline != null) {
        pipeline.abandon();
      }
    }
  }

  private void place(CompressionPipeline.Job j) throws IOException {
    if (j.packedLength > 0 && writer.writeCompressed(j.cStart, j.packed, j.packedLength)) {
      return;
    }
    disk.write(ByteBuffer.wrap(j.raw, 0, j.length), j.cStart);
  }

  @Override
  public void writeZeros(long offset, long length) throws IOException {
    disk.writeZeros(offset, length);
  }

  @Override
  public void discard(long offset, long length) throws IOException {
    disk.discard(offset, length);
  }

  @Override
  public void resize(long newSize) throws IOException {
    disk.resize(newSize);
  }

  @Override
  public void resize(long newSize, boolean discardData) throws IOException {
    disk.resize(newSize, discardData);
  }

  @Override
  public void flush() throws IOException {
    disk.flush();
  }

  /** Stops the workers; the disk and its image stay open. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
