package io.github.qcow2nio.nio;

import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Objects;

/** The check every provider method makes first: the path is one of this provider's. */
public final class ProviderPaths {
  private ProviderPaths() {}

  /**
   * {@code path} as a {@code type}; a null path is a {@code NullPointerException} and another
   * provider's path a {@code ProviderMismatchException} saying "not {@code what}: PATH (SCHEME)".
   */
  public static <P extends Path> P own(Path path, Class<P> type, String what) {
    Objects.requireNonNull(path, "path");
    if (!type.isInstance(path)) {
      throw new ProviderMismatchException("not " + what + ": " + path + " ("
          + path.getFileSystem().provider().getScheme() + ")");
    }
    return type.cast(path);
  }
}
