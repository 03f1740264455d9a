package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.SequentialWriter;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.codec.ClusterCompressor;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;

/**
 * Writes a qcow2 disk front to back with its clusters stored compressed, as {@code qemu-img
 * convert -c} writes them: each whole guest cluster is compressed with the image's compression
 * type (deflate with QEMU's 4 KiB window, or zstd) and packed at byte granularity after the
 * previous one; a cluster that does not compress to less than a cluster is stored normally; an
 * all-zero cluster is not stored at all where the disk already reads zeros there (otherwise it
 * is written as zeros). Compression runs on worker threads, one per core by default, while the
 * calling thread places the clusters in guest order; at most {@code 4 x threads} clusters are in
 * flight, so memory stays bounded whatever the disk's size.
 *
 * <pre>{@code
 * try (Qcow2Image image = Qcow2Image.create(path, options);
 *      SequentialWriter out = image.compressedWriter()) {
 *   out.write(buffer);          // as many times as needed, sequentially from offset 0
 * }                             // close() places the rest and flushes the image
 * }</pre>
 *
 * <p>Over an existing image, only clusters that have no host storage (unallocated, or zero
 * clusters without a host cluster) are stored compressed, as QEMU stores them; the others are
 * written in place normally, and compressed clusters already there are replaced by normal ones.
 * A start offset that is not cluster-aligned, and a last partial cluster that does not reach the
 * end of the disk, are written normally. The disk must already have its final size.
 *
 * <p>Failures: {@code write} hands whole clusters to the workers and returns; a cluster that
 * cannot be placed makes the next call ({@code write}, {@link #flush} or {@link #close}) throw,
 * and the writer then refuses further writes. Everything placed before stays, and the image is
 * as after any failed write: usable, and after a crash at worst with leaked clusters. Images with
 * an external data file are refused (QEMU: "Operation not supported"). Not thread-safe: one
 * thread writes; others may read the disk meanwhile.
 */
public final class CompressedWriter implements SequentialWriter {
  private final Qcow2Disk disk;
  private final Qcow2DiskWriter writer;
  private final ExecutorService pool;
  private final CompressionPipeline pipeline;
  private final int clusterSize;
  private final long clusterMask;
  private long position;
  /** The cluster being gathered, or null. */
  private CompressionPipeline.Job current;
  private IOException failure;
  private boolean closed;

  private CompressedWriter(Qcow2Disk disk, long offset, int threads)
      throws UnsupportedImageException {
    this.disk = disk;
    this.writer = disk.writer();
    this.clusterSize = 1 << disk.layout().clusterBits();
    this.clusterMask = clusterSize - 1L;
    this.position = offset;
    ClusterCompressor compressor = ClusterCompressor.forType(writer.compressionType(),
        disk.name());
    this.pool = CompressionPipeline.newPool(threads);
    this.pipeline = new CompressionPipeline(pool, compressor, clusterSize, 4 * threads, true);
  }

  /** A writer from offset 0 with one compressing thread per core. */
  public static CompressedWriter open(Qcow2Disk disk) throws IOException {
    return open(disk, 0, Runtime.getRuntime().availableProcessors());
  }

  /**
   * A writer starting at guest {@code offset}, compressing on {@code threads} worker threads.
   *
   * @throws ReadOnlyDiskException when the disk was not opened writable
   * @throws UnsupportedImageException when the image keeps its data in an external data file
   */
  public static CompressedWriter open(Qcow2Disk disk, long offset, int threads)
      throws IOException {
    if (disk.writer() == null || !disk.isWritable()) {
      throw new ReadOnlyDiskException(disk.name() + " is read-only");
    }
    if (disk.layout().externalData()) {
      throw new UnsupportedImageException(disk.name() + ": compressed writes are not supported"
          + " with an external data file (Operation not supported)");
    }
    CompressedClusterWriter.refuseEncrypted(disk);
    if (offset < 0 || offset > disk.size() || threads < 1) {
      throw new IllegalArgumentException("offset " + offset + " outside the disk of "
          + disk.size() + " bytes, or " + threads + " threads");
    }
    return new CompressedWriter(disk, offset, threads);
  }

  /** The guest offset the next byte goes to. */
  public long position() {
    return position;
  }

  /** Appends {@code src}'s remaining bytes at {@link #position()}. */
  public void write(ByteBuffer src) throws IOException {
    requireOpen();
    if (src.remaining() > disk.size() - position) {
      throw new IllegalArgumentException("writing " + src.remaining() + " bytes at " + position
          + " passes the end of the disk (" + disk.size() + " bytes)");
    }
    try {
      while (src.hasRemaining()) {
        long cStart = position & ~clusterMask;
        int off = (int) (position & clusterMask);
        int guest = (int) Math.min(clusterSize, disk.size() - cStart);
        if (current == null && off != 0) {
          // Started inside a cluster: that part is not a whole cluster, so it is written normally.
          int n = Math.min(src.remaining(), guest - off);
          writeNormally(src, n);
          continue;
        }
        if (current == null) {
          current = pipeline.job(cStart, guest);
        }
        int n = Math.min(src.remaining(), guest - off);
        src.get(current.raw, off, n);
        position += n;
        if (off + n == guest) {
          Arrays.fill(current.raw, guest, clusterSize, (byte) 0);
          CompressionPipeline.Job j = current;
          current = null;
          pipeline.submit(j, this::place);
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  /** Places every whole cluster written so far and flushes the image (a partial one waits). */
  public void flush() throws IOException {
    requireOpen();
    try {
      pipeline.drain(this::place);
      disk.flush();
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  /**
   * Writes what is left (a last partial cluster normally, unless it ends the disk: then it is
   * compressed, zero-padded, as QEMU does), places every cluster, flushes the image and stops
   * the workers. The image stays open.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (failure != null) {
        throw new IOException(disk.name() + ": the compressed writer failed earlier", failure);
      }
      if (current != null) {
        CompressionPipeline.Job j = current;
        current = null;
        int have = (int) (position - j.cStart);
        if (have == j.length) {
          pipeline.submit(j, this::place);
        } else {
          pipeline.drain(this::place);
          disk.write(ByteBuffer.wrap(j.raw, 0, have), j.cStart);
        }
      }
      pipeline.drain(this::place);
      disk.flush();
    } finally {
      closed = true;
      pipeline.abandon();
      pool.shutdownNow();
    }
  }

  private void writeNormally(ByteBuffer src, int n) throws IOException {
    ByteBuffer part = src.slice().limit(n);
    pipeline.drain(this::place);
    disk.write(part, position);
    src.position(src.position() + n);
    position += n;
  }

  /** Puts one cluster into the image, in guest order (the calling thread). */
  private void place(CompressionPipeline.Job j) throws IOException {
    if (j.zero) {
      if (!readsZero(j.cStart, j.length)) {
        disk.writeZeros(j.cStart, j.length);
      }
      return;
    }
    if (j.packedLength > 0 && writer.writeCompressed(j.cStart, j.packed, j.packedLength)) {
      return;
    }
    disk.write(ByteBuffer.wrap(j.raw, 0, j.length), j.cStart);
  }

  /** True when the whole range reads as zeros in this layer without data (and nothing below). */
  private boolean readsZero(long cStart, int length) throws IOException {
    Extent e = disk.blockStatus(cStart, length);
    if (e.length() < length) {
      return false;
    }
    if (e.type() == ClusterType.ZERO) {
      return true;
    }
    VirtualDisk backing = disk.backing();
    return e.type() == ClusterType.UNALLOCATED && (backing == null || backing.size() <= cStart);
  }

  private void fail(Exception e) {
    if (failure == null) {
      failure = e instanceof IOException io ? io : new IOException(e);
      pipeline.abandon();
    }
  }

  private void requireOpen() throws IOException {
    if (closed) {
      throw new IOException(disk.name() + ": the compressed writer is closed");
    }
    if (failure != null) {
      throw new IOException(disk.name() + ": the compressed writer failed earlier; "
          + "nothing after the failed cluster was written", failure);
    }
  }
}
