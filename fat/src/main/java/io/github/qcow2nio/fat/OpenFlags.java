package io.github.qcow2nio.fat;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** The open options of a channel on a FAT file, checked as {@code Files.newByteChannel} asks. */
record OpenFlags(boolean read, boolean write, boolean append, boolean truncate, boolean create,
    boolean createNew, boolean deleteOnClose, boolean sync) {

  static OpenFlags parse(Set<? extends OpenOption> options) {
    boolean read = false;
    boolean write = false;
    boolean append = false;
    boolean truncate = false;
    boolean create = false;
    boolean createNew = false;
    boolean deleteOnClose = false;
    boolean sync = false;
    for (OpenOption o : options) {
      if (o == StandardOpenOption.READ) {
        read = true;
      } else if (o == StandardOpenOption.WRITE) {
        write = true;
      } else if (o == StandardOpenOption.APPEND) {
        append = true;
      } else if (o == StandardOpenOption.TRUNCATE_EXISTING) {
        truncate = true;
      } else if (o == StandardOpenOption.CREATE) {
        create = true;
      } else if (o == StandardOpenOption.CREATE_NEW) {
        createNew = true;
      } else if (o == StandardOpenOption.DELETE_ON_CLOSE) {
        deleteOnClose = true;
      } else if (o == StandardOpenOption.SYNC || o == StandardOpenOption.DSYNC) {
        sync = true;
      } else if (o == StandardOpenOption.SPARSE || o instanceof LinkOption) {
        // FAT has neither sparse files nor links.
      } else {
        throw new UnsupportedOperationException("open option " + o);
      }
    }
    if (append && (read || truncate)) {
      throw new IllegalArgumentException("APPEND is not allowed with READ or TRUNCATE_EXISTING");
    }
    write |= append;
    read |= !write;
    return new OpenFlags(read, write, append, truncate && write, create && write,
        createNew && write, deleteOnClose, sync);
  }
}
