package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.Buffers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A copy whose reads run ahead of its writes: a thread of its own reads the steps of the copy,
 * in order, into a small fixed set of chunks with direct buffers, while the calling thread
 * writes them. The reader is at most {@code depth} steps ahead, so the memory is bounded and
 * nothing is allocated per step. With a plain {@link Writer} the writes, the progress and the
 * cancellation stay on the calling thread, so a target sees the same calls, in the same order,
 * as a loop that reads and writes in turn; a {@link HandOff} may pass a step to other threads
 * ({@link WriteBehind}), which give its chunk back through {@link #release}.
 *
 * <p>The first error in guest order wins: a failed read reaches the caller after the steps read
 * before it were written, as in a plain loop; a failed write or a cancellation stops the reader.
 * When {@link #run} returns or throws, the reader thread has ended and every chunk is back in the
 * pool.
 */
final class CopyPipeline {

  /** What a step does; the writer replays it. */
  enum Kind {
    /** {@link Chunk#buffer} holds the guest bytes from {@link Chunk#offset}. */
    DATA,
    /** Whole clusters for a compressing sink, from {@link Chunk#bufferStart}. */
    CLUSTERS,
    /** Reads as zeros without data. */
    ZERO,
    /** Left to the backing file (or already zeros in the target). */
    SKIP
  }

  /**
   * One step of the copy. Confined to one thread at a time: the reader fills it, the queue hands
   * it over (a happens-before edge), the writer reads it and gives it back.
   */
  static final class Chunk {
    final ByteBuffer buffer;
    Kind kind;
    long offset;
    long length;
    long bufferStart;
    /** A data step whose bytes are still to be read (by the thread that writes them). */
    boolean unread;

    Chunk(ByteBuffer buffer) {
      this.buffer = buffer;
    }
  }

  /** Fills the next step of the copy into a chunk; false when the copy is complete. */
  @FunctionalInterface
  interface Reader {
    boolean next(Chunk chunk) throws IOException;
  }

  /** Writes one step; the chunk goes back to the pool when this returns or throws. */
  @FunctionalInterface
  interface Writer {
    void write(Chunk chunk) throws IOException;
  }

  /**
   * Writes one step, or hands it to another thread: true when it kept the chunk, which then goes
   * back to the pool through {@link CopyPipeline#release} once written.
   */
  @FunctionalInterface
  interface HandOff {
    boolean write(Chunk chunk) throws IOException;
  }

  /** Waits for the steps handed off: every one written, or the first failure among them. */
  interface Drain {
    /** Waits for every step handed off, then throws the first failure among them. */
    void await() throws IOException;

    /** Waits for every step handed off, keeping their failures for nobody. */
    void awaitQuietly();
  }

  private static final Drain NOTHING_HANDED_OFF = new Drain() {
    @Override
    public void await() {}

    @Override
    public void awaitQuietly() {}
  };

  /** Throws {@link InterruptedIOException} when the caller wants the copy to stop. */
  @FunctionalInterface
  interface Cancellation {
    void check() throws InterruptedIOException;
  }

  /** The reader's thread name, for tests that check no thread outlives a copy. */
  static final String THREAD_NAME = "qcow2-copy-reader";

  private static final Chunk END = new Chunk(null);
  private static final Chunk FAILED = new Chunk(null);
  private static final Chunk STOP = new Chunk(null);

  private final int depth;
  private final BlockingQueue<Chunk> free;
  private final BlockingQueue<Chunk> ready;
  private volatile boolean stopped;
  private volatile Throwable failure;

  /** {@code depth} chunks of {@code bufferSize} direct bytes each. */
  CopyPipeline(int depth, int bufferSize) {
    this.depth = depth;
    // One place more than the chunks in each queue: the sentinels never wait for room.
    this.free = new ArrayBlockingQueue<>(depth + 1);
    this.ready = new ArrayBlockingQueue<>(depth + 1);
    for (int i = 0; i < depth; i++) {
      free.add(new Chunk(Buffers.pageAligned(bufferSize)));
    }
  }

  /** Chunks in the pool; all of them once {@link #run} has returned or thrown. */
  int available() {
    return (int) free.stream().filter(c -> c != STOP).count();
  }

  /** Copies every step {@code reader} gives through {@code writer}; once per pipeline. */
  void run(Reader reader, Writer writer, Cancellation cancellation) throws IOException {
    run(reader, c -> {
      writer.write(c);
      return false;
    }, NOTHING_HANDED_OFF, cancellation);
  }

  /**
   * As above, with the writer free to hand steps to other threads: before this returns or throws
   * every step handed off has been written or has failed ({@code drain}); a failure among them
   * wins over a later read failure, as it comes first in guest order.
   */
  void run(Reader reader, HandOff writer, Drain drain, Cancellation cancellation)
      throws IOException {
    Thread thread = new Thread(() -> readAll(reader), THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
    boolean drained = false;
    try {
      while (true) {
        cancellation.check();
        Chunk chunk = take();
        if (chunk == END) {
          drained = true;
          drain.await();
          return;
        }
        if (chunk == FAILED) {
          drained = true;
          drain.await();
          throw rethrow(failure);
        }
        boolean kept = false;
        try {
          kept = writer.write(chunk);
        } finally {
          if (!kept) {
            free.add(chunk);
          }
        }
      }
    } finally {
      if (!drained) {
        stopped = true;
        drain.awaitQuietly();
      }
      stop(thread);
    }
  }

  /** A chunk a {@link HandOff} kept goes back to the pool: written, or failed. */
  void release(Chunk chunk) {
    free.add(chunk);
  }

  private Chunk take() throws InterruptedIOException {
    try {
      return ready.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("cancelled");
    }
  }

  private void readAll(Reader reader) {
    try {
      while (true) {
        Chunk chunk = free.take();
        if (chunk == STOP || stopped) {
          free.add(chunk);
          return;
        }
        boolean more;
        try {
          more = reader.next(chunk);
        } catch (Throwable t) {
          free.add(chunk);
          throw t;
        }
        if (!more) {
          free.add(chunk);
          ready.add(END);
          return;
        }
        ready.add(chunk);
      }
    } catch (InterruptedException e) {
      // Nobody interrupts this thread but a stop: nothing more to read.
    } catch (Throwable t) {
      failure = t;
      ready.add(FAILED);
    }
  }

  /**
   * Ends the reader (waking it if it waits for a free chunk) and waits for it, then takes back
   * the chunks it read that were never written. An interrupt during the wait is kept for the
   * caller, not acted on: returning before the thread ended would leave it running.
   */
  private void stop(Thread thread) {
    stopped = true;
    free.offer(STOP);
    Uninterruptibly.join(thread);
    free.remove(STOP);
    for (Chunk c; (c = ready.poll()) != null; ) {
      if (c.buffer != null) {
        free.add(c);
      }
    }
    assert free.size() == depth : free.size() + " chunks back of " + depth;
  }

  private static IOException rethrow(Throwable t) {
    if (t instanceof IOException e) {
      return e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException(t);
  }
}
