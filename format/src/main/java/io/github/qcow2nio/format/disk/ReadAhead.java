package io.github.qcow2nio.format.disk;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decompression ahead of a sequential reader of compressed clusters: while the caller consumes
 * one cluster, a pool of daemon threads (one per processor) inflates the next ones into a ring
 * of slots, so a sequential read of a compressed image uses every core, as qemu-img's thread
 * pool does.
 *
 * <p>Bounded: the ring holds at most {@link #BUDGET} bytes of decompressed clusters (at least
 * two slots), each task decompresses one cluster into its slot's fixed buffer (a cluster bomb
 * can fill a slot, never more), and the executor's queue holds at most one task per slot. The
 * pool starts on the first sequential run of an image and its threads end after a second idle
 * or when the image is closed; a random reader never starts it.
 *
 * <p>Never stale: a slot records the L2 entry and the reader's generation under which its bytes
 * were read (under the disk's read lock, so no metadata change overlaps), and the reader uses it
 * only when both still hold. A write to the cluster changes its L2 entry, and freeing
 * compressed bytes (after which they could be rewritten under the same entry) bumps the
 * generation. A task that cannot take the read lock at once (a writer holds it) gives its
 * cluster up, so a waiting reader never waits behind a writer that waits for that reader.
 *
 * <p>Errors stay with the cluster: a task that fails leaves its slot empty, and the reader then
 * decompresses the cluster itself, so the caller sees the error, with its usual message, only
 * if it reads that cluster.
 */
final class ReadAhead {
  /** Decompressed bytes held ahead per open image. */
  static final int BUDGET = 4 << 20;
  /** The most slots, whatever the cluster size: handing over tiny clusters costs more. */
  private static final int MAX_SLOTS = 256;
  /** New clusters read in ascending order before the reader counts as sequential. */
  static final int SEQUENTIAL_READS = 3;

  private static final int EMPTY = 0;
  private static final int QUEUED = 1;
  private static final int RUNNING = 2;
  private static final int READY = 3;

  private final CompressedClusterReader reader;
  private final String name;
  private final int clusterBits;
  private final int window;
  /** Clusters handed to the reader from a slot; tests prove read-ahead ran with it. */
  private final AtomicLong hits = new AtomicLong();
  /** Guarded by this. */
  private Slot[] slots;
  private ThreadPoolExecutor pool;
  private boolean closed;
  /** The highest cluster scheduled so far: a hint that spares rescanning the window. */
  private volatile long scheduledUpTo = -1;

  ReadAhead(CompressedClusterReader reader, String name, int clusterBits) {
    this.reader = reader;
    this.name = name;
    this.clusterBits = clusterBits;
    this.window = (int) Math.max(2, Math.min(MAX_SLOTS, BUDGET >> clusterBits));
  }

  /** How far ahead a reader may jump and still count as sequential (clusters). */
  int window() {
    return window;
  }

  long hits() {
    return hits.get();
  }

  /** One decompressed cluster of the ring; its monitor guards its fields. */
  private final class Slot implements Runnable {
    long cluster = -1;
    int state = EMPTY;
    boolean inQueue;
    long word;
    long generation;
    byte[] out;
    /** What the task found: the L2 entry and the generation its bytes were read under. */
    final long[] found = new long[2];

    @Override
    public void run() {
      long c;
      synchronized (this) {
        inQueue = false;
        if (state != QUEUED) {
          return;
        }
        state = RUNNING;
        c = cluster;
        if (out == null) {
          out = new byte[1 << clusterBits];
        }
      }
      // Only this task touches out while the slot is RUNNING.
      boolean loaded = false;
      try {
        loaded = reader.loadAhead(c, out, found);
      } catch (Exception e) {
        // Left for the reader to meet again, if it reads this cluster at all.
      } finally {
        synchronized (this) {
          if (loaded) {
            word = found[0];
            generation = found[1];
            state = READY;
          } else {
            state = EMPTY;
          }
          notifyAll();
        }
      }
    }
  }

  /**
   * Asks for {@code from} and the clusters after it to be decompressed: as many as the ring
   * holds but one, since the slot of {@code from - 1}, the reader's current cluster, is the one
   * it takes next.
   */
  void schedule(long from) {
    Slot[] ring = start();
    if (ring == null) {
      return;
    }
    long last = from + window - 2;
    long hint = scheduledUpTo;
    long first = hint >= from && hint < last ? hint + 1 : from;
    for (long k = first; k <= last; k++) {
      Slot s = ring[(int) (k % window)];
      boolean submit;
      synchronized (s) {
        if (s.cluster == k && s.state != EMPTY || s.state == RUNNING) {
          continue;
        }
        // An older cluster's slot (read past, or never read): take it over.
        s.cluster = k;
        s.state = QUEUED;
        submit = !s.inQueue;
        s.inQueue = true;
      }
      if (submit && !submit(s)) {
        return;
      }
    }
    scheduledUpTo = last;
  }

  private boolean submit(Slot s) {
    try {
      pool.execute(s);
      return true;
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: the reader decompresses what it reads itself.
      synchronized (s) {
        s.inQueue = false;
        s.state = EMPTY;
      }
      return false;
    }
  }

  private synchronized Slot[] start() {
    if (closed) {
      return null;
    }
    if (pool == null) {
      Slot[] ring = new Slot[window];
      for (int i = 0; i < window; i++) {
        ring[i] = new Slot();
      }
      int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), window));
      ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(window), r -> {
            Thread t = new Thread(r, "qcow2-inflate " + name);
            t.setDaemon(true);
            return t;
          });
      p.allowCoreThreadTimeOut(true);
      slots = ring;
      pool = p;
    }
    return slots;
  }

  /**
   * Moves cluster {@code cluster}, decompressed, into {@code out}'s place when a slot holds it
   * for L2 entry {@code word} at generation {@code generation}: returns the slot's buffer (the
   * caller gives {@code out} to the slot in exchange), or null when the caller must decompress
   * the cluster itself. Waits for a task already decompressing it; takes back one still queued.
   */
  byte[] take(long cluster, long word, long generation, byte[] out) {
    Slot[] ring;
    synchronized (this) {
      ring = slots;
    }
    if (ring == null) {
      return null;
    }
    Slot s = ring[(int) (cluster % window)];
    boolean interrupted = false;
    try {
      synchronized (s) {
        if (s.cluster != cluster) {
          return null;
        }
        if (s.state == QUEUED) {
          // Not started: doing it here is no slower than waiting for a thread to start it.
          s.state = EMPTY;
          return null;
        }
        while (s.state == RUNNING && s.cluster == cluster) {
          try {
            s.wait();
          } catch (InterruptedException e) {
            // The task ends on its own within one cluster's work: wait for it, keep the flag.
            interrupted = true;
          }
        }
        if (s.cluster != cluster || s.state != READY) {
          return null;
        }
        s.state = EMPTY;
        if (s.word != word || s.generation != generation) {
          return null;
        }
        byte[] ready = s.out;
        s.out = out;
        hits.incrementAndGet();
        return ready;
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits until no cluster is queued or being decompressed: tests use it to know which clusters
   * a read will find ready, instead of guessing at the pool's pace.
   */
  void quiesce() throws InterruptedException {
    Slot[] ring;
    synchronized (this) {
      ring = slots;
    }
    if (ring == null) {
      return;
    }
    for (Slot s : ring) {
      synchronized (s) {
        while (s.state == QUEUED || s.state == RUNNING) {
          s.wait();
        }
      }
    }
  }

  /** Stops the pool: queued clusters are still decompressed, nothing new is scheduled. */
  synchronized void close() {
    closed = true;
    if (pool != null) {
      pool.shutdown();
    }
  }
}
