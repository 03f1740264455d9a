package io.github.qcow2nio.format.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Positional I/O on one host file: the image, its external data file, or a raw backing file.
 * Implementations are safe for concurrent use; no call depends on a shared position.
 */
public interface HostFile extends Closeable {

  /** A name for messages: the path or URI of the file. */
  String name();

  /**
   * Reads up to {@code dst.remaining()} bytes at {@code position}, looping over short reads, and
   * stops early only at end of file. Returns the number of bytes read (0 at or past end of file).
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /** Writes all of {@code src} at {@code position}, growing the file as needed. */
  void write(ByteBuffer src, long position) throws IOException;

  long size() throws IOException;

  /** Sets the size of the file: shrinks it, or grows it with zeros. */
  void truncate(long size) throws IOException;

  /** Makes every completed write durable. */
  void force() throws IOException;

  boolean isWritable();

  /**
   * Takes QEMU's image locks for {@code permissions} on this file, after checking that no other
   * program (and no other open in this JVM) conflicts; closing the file releases them. Files that
   * cannot be locked across processes (in memory, on jimfs, in a zip, on a qcow2 disk) take none:
   * this default does nothing.
   *
   * @throws io.github.qcow2nio.format.error.ImageLockedException on a conflict
   */
  default void lock(LockPermissions permissions) throws IOException {}

  /**
   * Reads exactly {@code dst.remaining()} bytes; the part past end of file reads as zeros, as
   * QEMU's file layer does. Returns how many bytes really came from the file.
   */
  default int readOrZero(ByteBuffer dst, long position) throws IOException {
    int n = read(dst, position);
    Buffers.zero(dst, dst.remaining());
    return n;
  }
}
