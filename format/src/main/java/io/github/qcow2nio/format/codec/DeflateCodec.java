package io.github.qcow2nio.format.codec;

import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Raw deflate (no zlib header or trailer), as QEMU's "zlib" compression type writes it. Any raw
 * inflater reads QEMU's 4 KiB-window streams. One inflater per thread, reused.
 */
final class DeflateCodec implements ClusterCodec {
  private final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));

  @Override
  public void decompress(byte[] src, int srcLength, byte[] dst, int clusterSize)
      throws IOException {
    Inflater inf = inflaters.get();
    inf.reset();
    inf.setInput(src, 0, srcLength);
    int produced = 0;
    try {
      while (produced < clusterSize) {
        int n = inf.inflate(dst, produced, clusterSize - produced);
        produced += n;
        if (n == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
          break;
        }
      }
    } catch (DataFormatException e) {
      throw new IOException("invalid deflate stream: " + e.getMessage(), e);
    }
    if (produced < clusterSize) {
      throw new IOException("deflate stream ends after " + produced + " of " + clusterSize
          + " bytes");
    }
  }
}
