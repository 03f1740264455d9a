package io.github.qcow2nio.format.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Writes of a copy made by a few threads at once, behind the thread that orders them: the page
 * cache takes one thread's writes at the speed of one core's copy, and qemu-img keeps several
 * requests in flight for the same reason. The steps handed here write disjoint guest ranges, so
 * their order does not matter to the target; what the target must order (metadata after the data
 * it names) it orders itself.
 *
 * <p>The first failure wins: it is thrown by the next {@link #submit} and by {@link #await}, and
 * the writes not yet started are dropped (a failed call costs at most that call). The threads end
 * in {@link #close}, which waits for them to end, not just for the pool to say it has: a pool
 * counts itself terminated once its last worker has left its loop, a moment before that thread
 * has ended.
 */
final class WriteBehind implements CopyPipeline.Drain, AutoCloseable {
  /** A write made on one of the threads. */
  @FunctionalInterface
  interface Task {
    void run() throws IOException;
  }

  /** The threads' name, for tests that check none outlives a copy. */
  static final String THREAD_NAME = "qcow2-copy-writer";

  private final ExecutorService pool;
  /** Every writer the pool made, for {@link #close} to join; guarded by itself. */
  private final List<Thread> writers = new ArrayList<>();
  private final Object lock = new Object();
  private int inFlight;
  private Throwable failure;

  /** {@code threads} writers. */
  WriteBehind(int threads) {
    this(threads, UnaryOperator.identity());
  }

  /**
   * {@code threads} writers, each running {@code body.apply(work)} for its whole life: tests keep
   * a writer alive past its work to prove {@link #close} waits for it.
   */
  WriteBehind(int threads, UnaryOperator<Runnable> body) {
    // Threads start when the first tasks come; the queue is bounded by the copy's chunks.
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(body.apply(r), THREAD_NAME);
          t.setDaemon(true);
          synchronized (writers) {
            writers.add(t);
          }
          return t;
        });
  }

  /** The writers for this machine: a few more than the cores, as writes wait in the kernel too. */
  static int defaultThreads() {
    return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() + 2));
  }

  /**
   * Runs {@code task} on a writer, then {@code done} whether it failed or not; throws the first
   * failure so far instead (without running either).
   */
  void submit(Task task, Runnable done) throws IOException {
    synchronized (lock) {
      throwFailure();
      inFlight++;
    }
    pool.execute(() -> {
      Throwable t = null;
      try {
        if (!failed()) {
          task.run();
        }
      } catch (Throwable e) {
        t = e;
      } finally {
        done.run();
        synchronized (lock) {
          if (t != null && failure == null) {
            failure = t;
          }
          inFlight--;
          lock.notifyAll();
        }
      }
    });
  }

  private boolean failed() {
    synchronized (lock) {
      return failure != null;
    }
  }

  @Override
  public void await() throws IOException {
    synchronized (lock) {
      waitIdle();
      throwFailure();
    }
  }

  @Override
  public void awaitQuietly() {
    synchronized (lock) {
      waitIdle();
    }
  }

  /**
   * Waits for the writes under way even when interrupted: returning earlier would leave them
   * writing after the call ended. The interrupt is kept for the caller.
   */
  private void waitIdle() {
    Uninterruptibly.await(() -> {
      if (inFlight > 0) {
        lock.wait();
      }
      return inFlight == 0;
    });
  }

  private void throwFailure() throws IOException {
    Throwable t = failure;
    if (t == null) {
      return;
    }
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof UncheckedIOException e) {
      throw e.getCause();
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException(t);
  }

  /** Ends the threads, waiting for them. */
  @Override
  public void close() {
    awaitQuietly();
    pool.shutdown();
    List<Thread> made;
    synchronized (writers) {
      made = List.copyOf(writers);
    }
    // No task is left, so after the shutdown each idle writer leaves at once.
    for (Thread t : made) {
      Uninterruptibly.join(t);
    }
  }
}
