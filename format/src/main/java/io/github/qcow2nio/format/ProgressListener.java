package io.github.qcow2nio.format;

/**
 * Follows a long image operation (convert, compare, measure) and may stop it. Called from the
 * thread running the operation, after each chunk of work; an operation that sees
 * {@link #cancelled()} (or its thread interrupted) stops with an
 * {@link java.io.InterruptedIOException}, leaving whatever it wrote so far, as qemu-img does when
 * it is killed.
 */
public interface ProgressListener {

  /** A listener that ignores progress and never cancels. */
  ProgressListener NONE = (done, total) -> {};

  /** {@code done} of {@code total} units of work are finished (bytes of the disk, usually). */
  void progress(long done, long total);

  /** True when the operation should stop at the next chunk. */
  default boolean cancelled() {
    return false;
  }
}
