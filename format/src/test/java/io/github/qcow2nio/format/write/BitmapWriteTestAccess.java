package io.github.qcow2nio.format.write;

import java.io.IOException;
import java.nio.file.Path;

/** {@link BitmapWriteTest}'s helpers for tests in other packages. */
public final class BitmapWriteTestAccess {
  private BitmapWriteTestAccess() {}

  /** Sets in_use on bitmap {@code name}, as a writer that crashed leaves it. */
  public static void markInUse(Path img, String name) throws IOException {
    BitmapWriteTest.markInUse(img, name);
  }
}
