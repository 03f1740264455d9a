package io.github.qcow2nio.format.codec;

import java.io.File;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Shaped as GKL's IntelInflater is (a {@code (boolean)} constructor, {@code load(File)}, and a
 * RuntimeException, not a DataFormatException, for a bad stream), over the JDK's inflater, so
 * the native path's wiring is tested where GKL is absent.
 */
public class FakeNativeInflater extends Inflater {
  static final java.util.concurrent.atomic.AtomicInteger CREATED =
      new java.util.concurrent.atomic.AtomicInteger();

  public FakeNativeInflater(boolean nowrap) {
    super(nowrap);
    CREATED.incrementAndGet();
  }

  public boolean load(File tmpDir) {
    return true;
  }

  @Override
  public int inflate(byte[] b, int off, int len) throws DataFormatException {
    try {
      return super.inflate(b, off, len);
    } catch (DataFormatException e) {
      throw new RuntimeException("Invalid deflate block found.");
    }
  }

  /** Its native library does not load here. */
  public static class NotLoading extends FakeNativeInflater {
    public NotLoading(boolean nowrap) {
      super(nowrap);
    }

    @Override
    public boolean load(File tmpDir) {
      return false;
    }
  }

  /** Loads, but inflates wrongly: the start-up check must refuse it. */
  public static class Wrong extends FakeNativeInflater {
    public Wrong(boolean nowrap) {
      super(nowrap);
    }

    @Override
    public int inflate(byte[] b, int off, int len) throws DataFormatException {
      int n = super.inflate(b, off, len);
      if (n > 0) {
        b[off] ^= 1;
      }
      return n;
    }
  }
}
