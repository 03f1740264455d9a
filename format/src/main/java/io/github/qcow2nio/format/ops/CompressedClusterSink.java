package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where {@code convert -c} sends data: whole guest clusters, in ascending guest order, each
 * stored compressed (or plain where compressing does not shrink it, as QEMU does). Runs of
 * adjacent clusters are gathered and written together through the image's compressing disk, so
 * that the clusters of one run compress in parallel; a gap (a range convert skips) ends a run.
 */
final class CompressedClusterSink implements Closeable {
  /** Clusters gathered before they are written: enough to keep every core busy. */
  private static final int RUN_CLUSTERS = 4 * Runtime.getRuntime().availableProcessors();

  private final VirtualDisk compressing;
  private final int clusterSize;
  private final long diskSize;
  private final ByteBuffer run;
  private long runStart = -1;

  private CompressedClusterSink(VirtualDisk compressing, int clusterSize, long diskSize) {
    this.compressing = compressing;
    this.clusterSize = clusterSize;
    this.diskSize = diskSize;
    this.run = ByteBuffer.allocate(clusterSize * Math.max(2, RUN_CLUSTERS));
  }

  /**
   * A sink writing compressed clusters into {@code image}'s active disk.
   *
   * @throws io.github.qcow2nio.format.error.UnsupportedImageException with an external data file
   */
  static CompressedClusterSink forImage(Qcow2Image image) throws IOException {
    return new CompressedClusterSink(image.compressingDisk(), image.header().clusterSize(),
        image.disk().size());
  }

  /** The cluster size the sink takes: every call gets exactly this many bytes. */
  int clusterSize() {
    return clusterSize;
  }

  /**
   * Stores one whole guest cluster at {@code guestOffset} (cluster-aligned, unallocated in the
   * target); the last cluster of a disk whose size is not cluster-aligned comes zero-padded.
   */
  void writeCluster(long guestOffset, ByteBuffer cluster) throws IOException {
    if (runStart >= 0 && (guestOffset != runStart + run.position() || !run.hasRemaining())) {
      writeRun();
    }
    if (runStart < 0) {
      runStart = guestOffset;
    }
    run.put(cluster);
  }

  /** Writes whatever the sink still holds (before the image is closed). */
  void finish() throws IOException {
    writeRun();
  }

  /** Stops the compressing threads; the image stays open. */
  @Override
  public void close() throws IOException {
    compressing.close();
  }

  private void writeRun() throws IOException {
    if (runStart < 0) {
      return;
    }
    // The padding of a last partial cluster is not the guest's: the write ends at the disk's end.
    int length = (int) Math.min(run.position(), diskSize - runStart);
    compressing.write(ByteBuffer.wrap(run.array(), 0, length), runStart);
    run.clear();
    runStart = -1;
  }
}
