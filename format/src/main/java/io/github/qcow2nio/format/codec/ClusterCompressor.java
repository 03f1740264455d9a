package io.github.qcow2nio.format.codec;

import io.github.qcow2nio.format.error.UnsupportedImageException;

/**
 * Compresses one cluster as QEMU does for the image's compression type. Implementations are safe
 * for concurrent use (each thread gets its own state), so workers can compress clusters in
 * parallel.
 */
public interface ClusterCompressor {

  /**
   * Compresses {@code src[0..length)} into {@code dst} and returns the compressed length, or -1
   * when the result would not be shorter than {@code limit} + 1 bytes: QEMU gives the compressor
   * a buffer of cluster size - 1 bytes and stores the cluster uncompressed when it does not fit.
   */
  int compress(byte[] src, int length, byte[] dst, int limit);

  /**
   * The compressor for a header's compression_type: 0 raw deflate with a 4 KiB window (QEMU's
   * "zlib"), 1 one zstd frame at the default level. zstd needs zstd-jni, as reading does.
   */
  static ClusterCompressor forType(int compressionType, String image)
      throws UnsupportedImageException {
    if (compressionType != 1) {
      return new DeflateCompressor();
    }
    ClusterCodec.forType(compressionType, image);
    return new ZstdCompressor();
  }
}
