package io.github.qcow2nio.format.codec;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Raw deflate (no zlib header or trailer), as QEMU's "zlib" compression type writes it. Any raw
 * inflater reads QEMU's 4 KiB-window streams. The JDK's: one inflater per thread, reused; or a
 * native one the user put on the class path ({@link NativeInflaters}), pooled, whose unchecked
 * exceptions on a bad stream become this codec's {@link IOException}.
 */
final class DeflateCodec implements ClusterCodec {
  private final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));
  /**
   * The native inflater's class, null for the JDK's. Asked for at the first cluster, not at open:
   * choosing loads (and for GKL unpacks) a native library, which an image whose clusters are
   * never read compressed should not cost.
   */
  private final Supplier<Constructor<? extends Inflater>> nativeType;

  DeflateCodec() {
    this.nativeType = NativeInflaters::chosen;
  }

  /** With {@code nativeType} null, the JDK's inflater (tests choose either). */
  DeflateCodec(Constructor<? extends Inflater> nativeType) {
    this.nativeType = () -> nativeType;
  }

  @Override
  public void decompress(byte[] src, int srcLength, byte[] dst, int clusterSize)
      throws IOException {
    Constructor<? extends Inflater> type = nativeType.get();
    if (type == null) {
      inflate(inflaters.get(), src, srcLength, dst, clusterSize);
      return;
    }
    Inflater inf;
    try {
      inf = NativeInflaters.take(type);
    } catch (ReflectiveOperationException e) {
      throw new IOException("native inflater: " + e, e);
    }
    boolean good = false;
    try {
      inflate(inf, src, srcLength, dst, clusterSize);
      good = true;
    } catch (RuntimeException e) {
      // GKL reports a bad stream with a RuntimeException, not a DataFormatException.
      throw new IOException("invalid deflate stream: " + e.getMessage(), e);
    } finally {
      NativeInflaters.give(type, inf, good);
    }
  }

  private static void inflate(Inflater inf, byte[] src, int srcLength, byte[] dst,
      int clusterSize) throws IOException {
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
