package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read side of {@code convert}: the source's chain status cut into steps of at most one
 * chunk, data read into the chunk's buffer. Ranges the chain reports as zeros or unallocated
 * are described, never read (except with {@code -S 0}, which writes every byte). For a
 * compressing target the data steps are whole clusters, the last one of a disk whose size is
 * not cluster-aligned zero-padded.
 */
final class ConvertSteps implements CopyPipeline.Reader {
  private final ChainStatus status;
  private final VirtualDisk disk;
  private final long size;
  private final long chunk;
  private final boolean writeZeros;
  private final int depthLimit;
  /** The compressing sink's cluster size, 0 without one. */
  private final int cluster;
  private long offset;
  /** Whether data at a known host offset is left for the writer's thread to read. */
  private boolean deferReads;

  ConvertSteps(SourceChain source, long chunk, long sparseSize, boolean topOnly, int cluster) {
    this(new ChainStatus(source), source.disk(), source.size(), chunk, sparseSize, topOnly,
        cluster);
  }

  /** Data read from {@code disk}, the status from {@code status} (tests count the reads). */
  ConvertSteps(ChainStatus status, VirtualDisk disk, long size, long chunk, long sparseSize,
      boolean topOnly, int cluster) {
    this.status = status;
    this.disk = disk;
    this.size = size;
    this.chunk = chunk;
    this.writeZeros = sparseSize == 0;
    this.depthLimit = topOnly ? 1 : Integer.MAX_VALUE;
    this.cluster = cluster;
  }

  /**
   * Leaves the reading of plain data (normal clusters, raw files: a host offset is known) to
   * {@link #read}, called by whoever writes the step, so that several threads read at once as
   * qemu-img's workers do. Compressed and encrypted data is still read here, where the source's
   * decompression ahead of a sequential reader works.
   */
  void deferReads() {
    this.deferReads = true;
  }

  /** Reads a step's data when {@link #next} left it unread; the source reads concurrently. */
  void read(CopyPipeline.Chunk c) throws IOException {
    if (c.unread) {
      c.buffer.clear().limit((int) c.length);
      disk.read(c.buffer, c.offset);
      c.buffer.flip();
      c.unread = false;
    }
  }

  /** The buffer a chunk needs: a whole chunk, less for a disk smaller than one. */
  static int bufferSize(long size, int chunk, int cluster) {
    long need = cluster > 0 ? (size + cluster - 1) / cluster * cluster : size;
    return (int) Math.min(chunk, Math.max(need, 1));
  }

  @Override
  public boolean next(CopyPipeline.Chunk c) throws IOException {
    if (offset >= size) {
      return false;
    }
    ChainStatus.Run run = status.at(offset, Math.min(size - offset, chunk), depthLimit);
    c.offset = offset;
    c.length = run.length();
    ByteBuffer buf = c.buffer;
    c.unread = false;
    if (cluster > 0 && run.data()) {
      // The cluster holding offset and those the run reaches, whole, as the sink takes them.
      long start = offset - offset % cluster;
      long end = Math.min(start + buf.capacity(), roundUp(offset + run.length()));
      long readable = Math.min(end, size) - start;
      buf.clear().limit((int) readable);
      disk.read(buf, start);
      buf.limit((int) (end - start));
      while (buf.hasRemaining()) {
        buf.put((byte) 0);
      }
      buf.flip();
      c.kind = CopyPipeline.Kind.CLUSTERS;
      c.bufferStart = start;
      c.length = Math.min(end, size) - offset;
    } else if (deferReads && run.data() && run.offsetValid()) {
      c.unread = true;
      c.kind = CopyPipeline.Kind.DATA;
    } else if (run.data() || writeZeros && run.zero()) {
      buf.clear().limit((int) c.length);
      disk.read(buf, offset);
      buf.flip();
      c.kind = CopyPipeline.Kind.DATA;
    } else {
      c.kind = run.zero() ? CopyPipeline.Kind.ZERO : CopyPipeline.Kind.SKIP;
    }
    offset += c.length;
    return true;
  }

  private long roundUp(long at) {
    return (at + cluster - 1) / cluster * cluster;
  }
}
