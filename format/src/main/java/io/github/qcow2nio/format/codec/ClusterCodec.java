package io.github.qcow2nio.format.codec;

import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.io.IOException;

/** Decompresses one compressed cluster. Implementations are safe for concurrent use. */
public interface ClusterCodec {

  /**
   * Decompresses from {@code src[0..srcLength)} until exactly {@code clusterSize} bytes are in
   * {@code dst}. Input left over after that is slack (it may belong to the next compressed cluster)
   * and is ignored. Throws when the stream is invalid or ends before the cluster is complete.
   */
  void decompress(byte[] src, int srcLength, byte[] dst, int clusterSize) throws IOException;

  /**
   * The codec for a header's compression_type: 0 raw deflate ("zlib"), 1 zstd. zstd needs the
   * optional zstd-jni library; without it an image that declares zstd cannot be opened.
   */
  static ClusterCodec forType(int compressionType, String image)
      throws UnsupportedImageException {
    if (compressionType != 1) {
      return new DeflateCodec();
    }
    if (!ZstdAvailability.AVAILABLE) {
      throw new UnsupportedImageException(image + ": the image is zstd-compressed, which "
          + "needs zstd-jni (Maven com.github.luben:zstd-jni) on the class path, or on the module "
          + "path with --add-modules com.github.luben.zstd_jni; " + ZstdAvailability.WHY);
    }
    return new ZstdCodec();
  }
}
