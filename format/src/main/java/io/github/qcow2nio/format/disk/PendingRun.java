package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.io.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Guest data of the current request waiting to be written as one host write: consecutive new
 * clusters of a request are usually contiguous in the file too. Its L2 entries are set before the
 * write (under the write lock, so nobody sees them); if the write, or anything else in the
 * request, fails, they get their old words back. Written before the request ends and before any
 * metadata is (the barrier's first step).
 */
final class PendingRun {
  private static final int MAX_ENTRIES = 256;

  private final HostFile data;
  private final boolean extended;
  private ByteBuffer buffer;
  private int from;
  private int length;
  private long host;
  /** Set when the last data handed over joined the run instead of being written. */
  private boolean deferred;
  /** Entries pointing into the run, with their old words, to take back on failure. */
  private final long[][] tables = new long[MAX_ENTRIES][];
  private final int[] index = new int[MAX_ENTRIES];
  private final long[] old = new long[2 * MAX_ENTRIES];
  private int entries;

  PendingRun(HostFile data, boolean extended) {
    this.data = data;
    this.extended = extended;
  }

  /**
   * Takes {@code src}'s remaining bytes (its position is left alone) for {@code host} of the
   * data file, joined to the run when it continues it in both the buffer and the file.
   */
  void add(ByteBuffer src, long at) throws IOException {
    int pos = src.position();
    int n = src.remaining();
    deferred = true;
    if (buffer == src && from + length == pos && host + length == at) {
      length += n;
      return;
    }
    write();
    buffer = src;
    from = pos;
    length = n;
    host = at;
  }

  /** Starts watching whether the next data handed over is deferred. */
  void clearDeferred() {
    deferred = false;
  }

  boolean wasDeferred() {
    return deferred;
  }

  /** Writes the run, if any; when that fails, its entries are taken back. */
  void write() throws IOException {
    ByteBuffer b = buffer;
    if (b == null) {
      return;
    }
    int position = b.position();
    int limit = b.limit();
    try {
      b.limit(from + length).position(from);
      data.write(b, host);
    } catch (IOException | RuntimeException e) {
      abandon();
      throw e;
    } finally {
      b.limit(limit).position(position);
    }
    buffer = null;
    entries = 0;
  }

  /**
   * Called as a request ends: a run still pending here was never written (the request failed), so
   * the entries pointing at it get their old values back. Their new clusters stay allocated and
   * unreferenced (a leak), as when a data write fails before its entry changes; no decrement was
   * queued for them (only unallocated and owned clusters go through the run).
   */
  void abandon() {
    for (int k = entries - 1; k >= 0; k--) {
      long[] t = tables[k];
      int wi = index[k];
      t[wi] = old[2 * k];
      if (extended) {
        t[wi + 1] = old[2 * k + 1];
      }
    }
    Arrays.fill(tables, 0, entries, null);
    entries = 0;
    buffer = null;
  }

  /** Remembers that entry {@code wi} of {@code table} (old words given) now points into the run. */
  void noteEntry(long[] table, int wi, long word, long bitmap) throws IOException {
    if (buffer == null) {
      return;
    }
    if (entries == MAX_ENTRIES) {
      write();
      return;
    }
    tables[entries] = table;
    index[entries] = wi;
    old[2 * entries] = word;
    old[2 * entries + 1] = bitmap;
    entries++;
  }
}
