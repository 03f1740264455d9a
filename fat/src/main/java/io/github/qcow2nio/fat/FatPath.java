package io.github.qcow2nio.fat;

import io.github.qcow2nio.nio.NestedPath;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;

/**
 * A path in a FAT file system: a Unix-like string path, absolute when it starts with "/". Paths
 * compare by their exact characters, as strings do; the volume finds names regardless of case
 * ({@link java.nio.file.Files#isSameFile} and {@link #toRealPath} see through case).
 */
public final class FatPath extends NestedPath<FatPath, FatFileSystem> {
  FatPath(FatFileSystem fs, boolean absolute, String[] names) {
    super(fs, absolute, names);
  }

  String[] names() {
    return nameArray();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException("not a path of the FAT file system on "
        + getFileSystem().filePath() + ": " + other);
  }
}
