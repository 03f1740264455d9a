package io.github.qcow2nio.ext4;

import java.io.IOException;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * The {@code unix} view: POSIX attributes plus {@code ino}, {@code mode}, {@code nlink},
 * {@code uid}, {@code gid}, {@code ctime} and {@code flags}, read by name as
 * {@code Files.getAttribute(path, "unix:uid")}, the names the JDK's own unix view uses. Every
 * setter throws {@link java.nio.file.ReadOnlyFileSystemException}.
 */
public interface Ext4FileAttributeView extends PosixFileAttributeView {
  String NAME = "unix";

  @Override
  Ext4FileAttributes readAttributes() throws IOException;
}
