package io.github.qcow2nio.format.block;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes a disk front to back, the way {@code qemu-img convert} fills its target: each call
 * continues where the last one ended. {@link #close()} writes what is still pending and flushes.
 */
public interface SequentialWriter extends Closeable, Flushable {

  /** Writes all of {@code src} at {@link #position()} and advances it. */
  void write(ByteBuffer src) throws IOException;

  /** The guest offset the next byte goes to. */
  long position();

  /** Writes everything handed over so far and makes it durable. */
  @Override
  void flush() throws IOException;
}
