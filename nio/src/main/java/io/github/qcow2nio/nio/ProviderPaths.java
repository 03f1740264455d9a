package io.github.qcow2nio.nio;

import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Objects;

/**
 * The checks every provider method makes first: the path is one of this provider's, and whether
 * its options ask to follow links.
 */
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

  /** False when {@code options} hold NOFOLLOW_LINKS: a final symbolic link is not followed. */
  public static boolean followLinks(LinkOption... options) {
    for (LinkOption o : options) {
      if (o == LinkOption.NOFOLLOW_LINKS) {
        return false;
      }
    }
    return true;
  }
}
