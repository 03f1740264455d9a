package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NestedPath;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;

/**
 * A path in a partition file system: a Unix-like string path, absolute when it starts with "/".
 * The namespace is flat ("/" and its partitions), but paths keep the general arithmetic so that
 * relative paths, "." and ".." behave as in every other provider; lookups decide what exists.
 */
final class PartitionPath extends NestedPath<PartitionPath, PartitionFileSystem> {
  PartitionPath(PartitionFileSystem fs, boolean absolute, String[] names) {
    super(fs, absolute, names);
  }

  String[] names() {
    return nameArray();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException("not a path of the partition file system of "
        + getFileSystem().diskPath() + ": " + other);
  }
}
