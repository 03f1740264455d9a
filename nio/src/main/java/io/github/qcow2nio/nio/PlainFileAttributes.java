package io.github.qcow2nio.nio;

import java.nio.file.attribute.BasicFileAttributes;

/**
 * The basic attributes of a file system that holds only regular files and directories: no
 * symbolic links, nothing else, and no file keys (an entry's place is no lasting identity).
 */
public interface PlainFileAttributes extends BasicFileAttributes {
  @Override
  default boolean isRegularFile() {
    return !isDirectory();
  }

  @Override
  default boolean isSymbolicLink() {
    return false;
  }

  @Override
  default boolean isOther() {
    return false;
  }

  @Override
  default Object fileKey() {
    return null;
  }
}
