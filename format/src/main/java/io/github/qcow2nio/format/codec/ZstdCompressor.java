package io.github.qcow2nio.format.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * One plain zstd frame per cluster at zstd's default level, with the content size in the frame
 * header and no checksum, as QEMU's single end-of-frame streaming call writes it.
 */
final class ZstdCompressor implements ClusterCompressor {
  private final ThreadLocal<ZstdCompressCtx> contexts = ThreadLocal.withInitial(() -> {
    ZstdCompressCtx ctx = new ZstdCompressCtx();
    ctx.setLevel(Zstd.defaultCompressionLevel());
    ctx.setContentSize(true);
    ctx.setChecksum(false);
    return ctx;
  });

  @Override
  public int compress(byte[] src, int length, byte[] dst, int limit) {
    try {
      int n = contexts.get().compressByteArray(dst, 0, Math.min(limit, dst.length), src, 0,
          length);
      return n;
    } catch (ZstdException e) {
      // "Destination buffer is too small": the cluster is stored uncompressed.
      return -1;
    }
  }
}
