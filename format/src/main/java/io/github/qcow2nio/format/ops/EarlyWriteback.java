package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Starts writing a commit's base back to disk while the commit still copies: each time another
 * {@code step} bytes were written, the base's file is forced from a helper thread, so that the
 * final flush waits for the last stretch, not for everything. The kernel reports a write-back
 * error once, to whichever force meets it, so a failed early force fails the commit: {@link
 * #finish} rethrows it before anything else happens, and the overlay is left untouched.
 */
final class EarlyWriteback implements AutoCloseable {
  /** Large enough that a force costs little next to what it writes back. */
  static final long STEP = 32L << 20;

  private final HostFile file;
  private final long step;
  private long pending;
  private Future<Void> inFlight;
  private Thread thread;

  EarlyWriteback(HostFile file, long step) {
    this.file = file;
    this.step = step;
  }

  /** Counts {@code bytes} more written; starts a force when a step has gathered and none runs. */
  void written(long bytes) throws IOException {
    pending += bytes;
    if (pending < step) {
      return;
    }
    if (inFlight != null) {
      if (!inFlight.isDone()) {
        return; // one at a time: the next step's force takes this one's bytes too
      }
      await();
    }
    pending = 0;
    FutureTask<Void> task = new FutureTask<>(() -> {
      file.force();
      return null;
    });
    inFlight = task;
    thread = new Thread(task, "qcow2-commit-writeback");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits for the force in flight, if any; its failure is this call's. */
  void finish() throws IOException {
    if (inFlight != null) {
      await();
    }
  }

  private void await() throws IOException {
    Future<Void> f = inFlight;
    inFlight = null;
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Still running: it must not outlive the files it forces.
      joinQuietly();
      throw new InterruptedIOException("interrupted while the base was written back");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }

  private void joinQuietly() {
    if (thread != null) {
      Uninterruptibly.join(thread);
    }
  }

  /** Waits for a force still running (its outcome no longer matters: the commit failed). */
  @Override
  public void close() {
    joinQuietly();
  }
}
