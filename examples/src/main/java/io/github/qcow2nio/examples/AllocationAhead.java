package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The allocated size of one file, looked up on a thread of its own while the caller reads the
 * image: {@link HostAllocation#allocatedBlocks()} starts a {@code stat} process, whose start-up
 * (the JDK's first process, then the child) would otherwise come after the image is read, on
 * the path of every {@code info}. Asked for another file, it asks the lookup it wraps directly.
 */
final class AllocationAhead implements HostAllocation, Runnable {
  private final HostAllocation lookup;
  private final Path path;
  private final Thread thread;
  private long bytes;
  private Exception failure;

  private AllocationAhead(HostAllocation lookup, Path path) {
    this.lookup = lookup;
    this.path = path;
    this.thread = new Thread(this, "qcow2-allocation");
    // The tool may end (an unreadable image) before the answer is asked for.
    thread.setDaemon(true);
  }

  /** Starts looking up {@code path}'s allocated size with {@code lookup}. */
  static AllocationAhead start(HostAllocation lookup, Path path) {
    AllocationAhead ahead = new AllocationAhead(lookup, path);
    ahead.thread.start();
    return ahead;
  }

  @Override
  public void run() {
    try {
      bytes = lookup.allocatedBytes(path);
    } catch (IOException | RuntimeException e) {
      // Thrown where the answer is asked for, as the lookup itself would have thrown it.
      failure = e;
    }
  }

  @Override
  public long allocatedBytes(Path file) throws IOException {
    if (!file.equals(path)) {
      return lookup.allocatedBytes(file);
    }
    try {
      // join: the thread's writes to bytes and failure happen-before its return.
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return lookup.allocatedBytes(file);
    }
    if (failure instanceof IOException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    return bytes;
  }
}
