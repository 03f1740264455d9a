package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.StructReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a writable image's persistent dirty bitmaps up to date, as QEMU does for a writer: every
 * bitmap marked {@code auto} and not {@code in_use} records every change to the disk; the others
 * are left as they are.
 *
 * <p>Crash ordering: before the first change the tracked bitmaps are marked {@code in_use} on disk
 * (forced), so a crash leaves them honestly inconsistent. {@link #store} then writes changed data
 * clusters (new ones allocated, refcounted and made durable by the caller's metadata flush before
 * the table points at them), rewrites the tables in place (forced), and only then clears
 * {@code in_use} (forced). The directory is rewritten in place: only flag words change, so a torn
 * write leaves each entry either old or new.
 */
public final class BitmapTracker {
  /** Allocates host clusters through the writer (refcounted, overlap-checked). */
  public interface Allocator {
    long allocate(long clusters) throws IOException;
  }

  /** Makes cluster allocations' refcounts durable (the writer's metadata flush). */
  public interface Barrier {
    void flush() throws IOException;
  }

  private final HostFile file;
  private final int clusterSize;
  private final long directoryOffset;
  private final byte[] directory;
  private final int[] flagPositions;
  private final List<DirtyBitmap> tracked = new ArrayList<>();
  private final List<Integer> trackedIndexes = new ArrayList<>();
  private volatile boolean marked;

  private BitmapTracker(HostFile file, int clusterSize, long directoryOffset, byte[] directory,
      int[] flagPositions) {
    this.file = file;
    this.clusterSize = clusterSize;
    this.directoryOffset = directoryOffset;
    this.directory = directory;
    this.flagPositions = flagPositions;
  }

  /** Loads the bitmaps that must track writes; {@code entries} is the validated directory. */
  public static BitmapTracker open(HostFile file, int clusterBits, BitmapsExtension ext,
      List<BitmapDirectoryEntry> entries, long diskSize) throws IOException {
    byte[] dir = new byte[(int) ext.directorySize()];
    new StructReader(file, file.size()).read("bitmap directory", ext.directoryOffset(),
        dir.length).get(dir);
    ByteBuffer d = ByteBuffer.wrap(dir);
    int[] flags = new int[entries.size()];
    int p = 0;
    for (int i = 0; i < entries.size(); i++) {
      flags[i] = p + 12;
      int nameSize = d.getShort(p + 18) & 0xFFFF;
      long extra = Integer.toUnsignedLong(d.getInt(p + 20));
      p += (int) ((BitmapDirectoryEntry.FIXED_SIZE + extra + nameSize + 7) & ~7L);
    }
    BitmapTracker t = new BitmapTracker(file, 1 << clusterBits, ext.directoryOffset(), dir,
        flags);
    for (int i = 0; i < entries.size(); i++) {
      BitmapDirectoryEntry e = entries.get(i);
      if (e.auto() && !e.inUse()) {
        t.tracked.add(DirtyBitmap.load(file, clusterBits, e, diskSize));
        t.trackedIndexes.add(i);
      }
    }
    return t;
  }

  public boolean isEmpty() {
    return tracked.isEmpty();
  }

  /** The bitmaps being kept up to date. */
  public List<DirtyBitmap> tracked() {
    return List.copyOf(tracked);
  }

  /** Records a change to {@code [offset, offset + length)}; call before the change is written. */
  public void track(long offset, long length) throws IOException {
    if (tracked.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (!marked) {
        writeFlags(true);
        marked = true;
      }
      for (DirtyBitmap b : tracked) {
        b.set(offset, length);
      }
    }
  }

  /**
   * Writes the changes and clears {@code in_use}. Runs under the writer's metadata lock, so no
   * change is tracked meanwhile.
   */
  public synchronized void store(Allocator allocator, Barrier barrier) throws IOException {
    if (!marked) {
      return;
    }
    boolean allocated = false;
    List<long[]> entryUpdates = new ArrayList<>();
    for (int k = 0; k < tracked.size(); k++) {
      DirtyBitmap b = tracked.get(k);
      long bitsPerCluster = 8L * clusterSize;
      for (int ci = b.changed().nextSetBit(0); ci >= 0; ci = b.changed().nextSetBit(ci + 1)) {
        byte[] c = b.cluster(ci);
        long e = b.table()[ci];
        long off = e & DirtyBitmap.ENTRY_OFFSET;
        boolean whole = (long) (ci + 1) * bitsPerCluster <= b.size();
        long next;
        if (off != 0) {
          file.write(ByteBuffer.wrap(c), off);
          next = e;
        } else if (whole && allOnes(c)) {
          next = DirtyBitmap.ENTRY_ALL_ONES;
        } else {
          long host = allocator.allocate(1);
          file.write(ByteBuffer.wrap(c), host);
          allocated = true;
          next = host;
        }
        entryUpdates.add(new long[] {k, ci, next});
      }
    }
    // Data and refcount increments durable before any table entry points at new data.
    if (allocated) {
      barrier.flush();
    }
    file.force();
    for (long[] u : entryUpdates) {
      DirtyBitmap b = tracked.get((int) u[0]);
      int ci = (int) u[1];
      if (b.table()[ci] != u[2]) {
        file.write(ByteBuffer.allocate(8).putLong(0, u[2]), b.entry().tableOffset() + 8L * ci);
      }
      b.stored(ci, u[2]);
    }
    file.force();
    writeFlags(false);
    marked = false;
  }

  private static boolean allOnes(byte[] c) {
    for (byte x : c) {
      if (x != (byte) 0xFF) {
        return false;
      }
    }
    return true;
  }

  private void writeFlags(boolean inUse) throws IOException {
    ByteBuffer d = ByteBuffer.wrap(directory);
    for (int i : trackedIndexes) {
      int at = flagPositions[i];
      int f = d.getInt(at);
      d.putInt(at, inUse ? f | BitmapDirectoryEntry.FLAG_IN_USE
          : f & ~BitmapDirectoryEntry.FLAG_IN_USE);
    }
    file.write(ByteBuffer.wrap(directory), directoryOffset);
    file.force();
  }
}
