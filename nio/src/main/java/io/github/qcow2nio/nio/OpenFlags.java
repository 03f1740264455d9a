package io.github.qcow2nio.nio;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The open options of a channel, checked as {@code FileChannel.open} checks them, so that every
 * provider refuses the same combinations with the same exceptions. SPARSE and link options are
 * accepted and ignored: none of the file systems has holes to ask for or links to follow at open.
 *
 * @param read the channel reads (also when neither READ nor WRITE nor APPEND is given)
 * @param write the channel writes (APPEND implies it)
 * @param append every write goes to the end
 * @param truncate TRUNCATE_EXISTING on a channel that writes (ignored otherwise, as the JDK does)
 * @param create CREATE as given
 * @param createNew CREATE_NEW as given
 * @param deleteOnClose DELETE_ON_CLOSE, for the file systems that can delete
 * @param sync SYNC or DSYNC
 */
public record OpenFlags(boolean read, boolean write, boolean append, boolean truncate,
    boolean create, boolean createNew, boolean deleteOnClose, boolean sync) {

  /** A channel that only reads: what {@code parse} makes of READ alone. */
  public static final OpenFlags READ_ONLY =
      new OpenFlags(true, false, false, false, false, false, false, false);

  /**
   * Parses {@code options}. A file system that cannot delete passes the message with which it
   * refuses DELETE_ON_CLOSE; one that can passes null and reads {@link #deleteOnClose()}.
   */
  public static OpenFlags parse(Set<? extends OpenOption> options, String deleteOnCloseRefusal) {
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
      } else if (o == StandardOpenOption.SYNC || o == StandardOpenOption.DSYNC) {
        sync = true;
      } else if (o == StandardOpenOption.SPARSE || o instanceof LinkOption) {
        continue;
      } else if (o == StandardOpenOption.DELETE_ON_CLOSE) {
        if (deleteOnCloseRefusal != null) {
          throw new UnsupportedOperationException(deleteOnCloseRefusal);
        }
        deleteOnClose = true;
      } else {
        throw new UnsupportedOperationException("open option " + o);
      }
    }
    if (append && (read || truncate)) {
      throw new IllegalArgumentException("APPEND is not allowed with READ or TRUNCATE_EXISTING");
    }
    write |= append;
    read |= !write;
    return new OpenFlags(read, write, append, truncate && write, create, createNew,
        deleteOnClose, sync);
  }

  /**
   * These flags with CREATE and CREATE_NEW dropped unless the channel writes, as {@code
   * FileChannel.open} documents them; for the file systems where a file can be created at all.
   */
  public OpenFlags createOnlyWhenWriting() {
    return new OpenFlags(read, write, append, truncate, create && write, createNew && write,
        deleteOnClose, sync);
  }
}
