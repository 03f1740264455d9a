package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Where {@code convert -c} sends data: whole guest clusters, in ascending guest order, each to
 * be stored compressed (or plain where compressing does not shrink it, as QEMU does). A
 * sequential compressed-cluster writer of the core plugs in here; until one is present on this
 * branch, {@link #forImage} finds none and convert refuses {@code -c}.
 */
interface CompressedClusterSink {

  /** The cluster size the sink takes: every call gets exactly this many bytes. */
  int clusterSize();

  /**
   * Stores one whole guest cluster at {@code guestOffset} (cluster-aligned, unallocated in the
   * target); the last cluster of a disk whose size is not cluster-aligned comes zero-padded.
   */
  void writeCluster(long guestOffset, ByteBuffer cluster) throws IOException;

  /** Writes whatever the sink still holds (before the image is closed). */
  void finish() throws IOException;

  /** Whether the core can write compressed clusters (checked before a target is created). */
  static boolean supported() {
    return false;
  }

  /** A sink writing compressed clusters into {@code image}, when the core can write them. */
  static Optional<CompressedClusterSink> forImage(Qcow2Image image) {
    // The core's compressed-cluster writer is not on this branch: wire it here when it is.
    return Optional.empty();
  }
}
