package io.github.qcow2nio.format.disk;

import java.io.IOException;

/** Decompresses one compressed cluster. Implementations are safe for concurrent use. */
public interface ClusterCodec {

  /**
   * Decompresses from {@code src[0..srcLength)} until exactly {@code clusterSize} bytes are in
   * {@code dst}. Input left over after that is slack (it may belong to the next compressed cluster)
   * and is ignored. Throws when the stream is invalid or ends before the cluster is complete.
   */
  void decompress(byte[] src, int srcLength, byte[] dst, int clusterSize) throws IOException;

  /** The codec for a header's compression_type. */
  static ClusterCodec forType(int compressionType) {
    return compressionType == 1 ? new ZstdCodec() : new DeflateCodec();
  }
}
