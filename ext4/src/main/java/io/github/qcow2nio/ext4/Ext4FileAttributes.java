package io.github.qcow2nio.ext4;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Everything the inode says about a file: the POSIX attributes plus the numbers a Unix
 * {@code stat} shows. {@link #fileKey} is the inode number, so hard links share it.
 */
public interface Ext4FileAttributes extends PosixFileAttributes {
  /** The inode number. */
  long ino();

  /** Type and permission bits, as {@code st_mode}. */
  int mode();

  /** Hard links to the inode. */
  int nlink();

  long uid();

  long gid();

  /** Last change to the inode itself. */
  FileTime ctime();

  /** The inode's flags word ({@code i_flags}: extents, inline data, htree index, ...). */
  int flags();
}
