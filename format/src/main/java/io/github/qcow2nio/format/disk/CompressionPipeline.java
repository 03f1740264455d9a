package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.codec.ClusterCompressor;
import io.github.qcow2nio.format.io.Buffers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clusters compressed on worker threads and handed back in the order they were submitted, so one
 * writer places them in guest order. At most {@code inFlight} clusters are between submission
 * and placement: a submission beyond that places the oldest first, which bounds memory to
 * {@code inFlight} clusters (each a raw and a compressed buffer, reused). Not thread-safe: one
 * pipeline per writer (the worker pool may be shared).
 */
final class CompressionPipeline {

  /** One guest cluster on its way through: raw data in, compressed bytes (or not) out. */
  static final class Job {
    long cStart;
    /** Guest bytes of the cluster (less than a cluster only at the end of the disk). */
    int length;
    final byte[] raw;
    final byte[] packed;
    /** The compressed length, or -1 when compression saves nothing. */
    int packedLength;
    /** All raw bytes are zero (looked at only when the pipeline was asked to). */
    boolean zero;

    Job(int clusterSize) {
      raw = new byte[clusterSize];
      packed = new byte[clusterSize];
    }
  }

  /** Places one compressed (or incompressible, or zero) cluster into the image. */
  @FunctionalInterface
  interface Placer {
    void place(Job job) throws IOException;
  }

  private final ExecutorService pool;
  private final ClusterCompressor compressor;
  private final int clusterSize;
  private final int inFlight;
  private final boolean detectZeros;
  private final ArrayDeque<Future<Job>> queue = new ArrayDeque<>();
  private final ArrayDeque<Job> spare = new ArrayDeque<>();

  CompressionPipeline(ExecutorService pool, ClusterCompressor compressor, int clusterSize,
      int inFlight, boolean detectZeros) {
    this.pool = pool;
    this.compressor = compressor;
    this.clusterSize = clusterSize;
    this.inFlight = Math.max(1, inFlight);
    this.detectZeros = detectZeros;
  }

  /** A fixed pool of daemon workers, one per core unless told otherwise. */
  static ExecutorService newPool(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory f = r -> {
      Thread t = new Thread(r, "qcow2-compress-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return Executors.newFixedThreadPool(Math.max(1, threads), f);
  }

  /** A job to fill: a reused one when there is one. Its raw bytes past the data must be zeroed. */
  Job job(long cStart, int length) {
    Job j = spare.poll();
    if (j == null) {
      j = new Job(clusterSize);
    }
    j.cStart = cStart;
    j.length = length;
    j.packedLength = -1;
    j.zero = false;
    return j;
  }

  /** Hands {@code job} to the workers; places the oldest first when {@code inFlight} are out. */
  void submit(Job job, Placer placer) throws IOException {
    while (queue.size() >= inFlight) {
      placeOldest(placer);
    }
    queue.add(pool.submit(() -> compress(job)));
  }

  /** Places every submitted cluster, in order. */
  void drain(Placer placer) throws IOException {
    while (!queue.isEmpty()) {
      placeOldest(placer);
    }
  }

  /** Forgets what is still in flight (after a failure): none of it is placed. */
  void abandon() {
    Future<Job> f;
    while ((f = queue.poll()) != null) {
      f.cancel(false);
    }
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  private Job compress(Job j) {
    if (detectZeros && Buffers.isZero(j.raw)) {
      j.zero = true;
      return j;
    }
    j.packedLength = compressor.compress(j.raw, clusterSize, j.packed, clusterSize - 1);
    return j;
  }

  private void placeOldest(Placer placer) throws IOException {
    Future<Job> f = queue.poll();
    Job j;
    try {
      j = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new InterruptedIOException("interrupted while waiting for a cluster's compression");
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IOException("compressing a cluster failed: " + cause, cause);
    }
    placer.place(j);
    // Only a placed job's buffers are reused: an abandoned one may still be in a worker's hands.
    spare.add(j);
  }
}
