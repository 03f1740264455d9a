package io.github.qcow2nio.format.disk;

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
}
