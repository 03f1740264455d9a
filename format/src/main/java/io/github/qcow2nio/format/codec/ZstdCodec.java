package io.github.qcow2nio.format.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;

/**
 * zstd clusters: plain zstd frames with no length prefix, followed by slack. Frames are decoded
 * one after another until the cluster is full, as QEMU's streaming decoder does.
 */
final class ZstdCodec implements ClusterCodec {
  private final ThreadLocal<ZstdDecompressCtx> contexts =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);

  @Override
  public void decompress(byte[] src, int srcLength, byte[] dst, int clusterSize)
      throws IOException {
    ZstdDecompressCtx ctx = contexts.get();
    int in = 0;
    int produced = 0;
    try {
      while (produced < clusterSize) {
        if (in >= srcLength) {
          throw new IOException("zstd data ends after " + produced + " of " + clusterSize
              + " bytes");
        }
        long frame = Zstd.findFrameCompressedSize(src, in, srcLength - in);
        if (Zstd.isError(frame) || frame <= 0) {
          throw new IOException("invalid or truncated zstd frame at byte " + in + ": "
              + Zstd.getErrorName(frame));
        }
        int n = ctx.decompressByteArray(dst, produced, clusterSize - produced, src, in, (int) frame);
        produced += n;
        in += (int) frame;
      }
    } catch (ZstdException e) {
      throw new IOException("invalid zstd stream: " + e.getMessage(), e);
    }
  }
}
