package io.github.qcow2nio.provider;

import io.github.qcow2nio.nio.NestedPath;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;

/**
 * A path in a qcow2 file system: a Unix-like string path, absolute when it starts with "/". The
 * path arithmetic, URI and real path are the project's shared ones; what is qcow2's is the file
 * system.
 */
public final class Qcow2Path extends NestedPath<Qcow2Path, Qcow2FileSystem> {
  Qcow2Path(Qcow2FileSystem fs, boolean absolute, String[] names) {
    super(fs, absolute, names);
  }

  String[] names() {
    return nameArray();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException("not a path of the qcow2 file system of "
        + getFileSystem().imagePath() + ": " + other);
  }
}
