package io.github.qcow2nio.format.block;

import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A guest-visible disk: the active layer of a qcow2 image, one of its snapshots, or a raw file.
 * Positional reads are safe from many threads at once.
 */
public interface VirtualDisk extends Closeable {

  /** The virtual size in bytes. */
  long size();

  /**
   * Reads {@code min(dst.remaining(), size() - offset)} bytes at guest {@code offset} into
   * {@code dst}: always that many, never a short read inside the disk. Returns the count, or -1
   * when {@code offset} is at or past the end and {@code dst} has room.
   */
  int read(ByteBuffer dst, long offset) throws IOException;

  /** A name for messages: the image file. */
  String name();

  /**
   * The run of guest bytes starting at {@code offset}, at most {@code maxLength} bytes and never
   * past the end, that share one kind of storage in this layer: what {@code qemu-img map} reports
   * for it. {@code offset} must lie inside the disk and {@code maxLength} be positive.
   */
  Extent blockStatus(long offset, long maxLength) throws IOException;

  /** True when the write methods below may be called. */
  default boolean isWritable() {
    return false;
  }

  /**
   * Writes all of {@code src} at guest {@code offset}. The range must lie inside the disk: grow it
   * with {@link #resize} first.
   */
  default void write(ByteBuffer src, long offset) throws IOException {
    throw new ReadOnlyDiskException(name() + " is read-only");
  }

  /** Makes {@code [offset, offset + length)} read as zeros, without writing data where it can. */
  default void writeZeros(long offset, long length) throws IOException {
    throw new ReadOnlyDiskException(name() + " is read-only");
  }

  /**
   * Releases the storage of {@code [offset, offset + length)}. What it reads afterwards is
   * unspecified only where the format allows; a qcow2 disk never lets backing data show through
   * where the range read otherwise before.
   */
  default void discard(long offset, long length) throws IOException {
    throw new ReadOnlyDiskException(name() + " is read-only");
  }

  /**
   * Grows or shrinks the disk. A shrink that would drop data is refused where the format can tell
   * (a qcow2 disk refuses it unless the clusters past the new end hold nothing).
   */
  default void resize(long newSize) throws IOException {
    resize(newSize, false);
  }

  /**
   * Grows or shrinks the disk; with {@code discardData} a shrink drops whatever lies past the new
   * end, as {@code qemu-img resize --shrink} and a file truncate do.
   */
  default void resize(long newSize, boolean discardData) throws IOException {
    throw new ReadOnlyDiskException(name() + " is read-only");
  }

  /** Makes every completed write durable, metadata included. */
  default void flush() throws IOException {}
}
