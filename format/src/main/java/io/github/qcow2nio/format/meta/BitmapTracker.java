package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.Buffers;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.io.StructReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a writable image's persistent dirty bitmaps up to date, as QEMU does for a writer: every
 * bitmap marked {@code auto} and not {@code in_use} records every change to the disk; disabled
 * bitmaps keep their bits, and {@code in_use} (inconsistent) bitmaps are left as they are.
 *
 * <p>Crash ordering: before the first change the tracked bitmaps are marked {@code in_use} on disk
 * (forced), so a crash leaves them honestly inconsistent. {@link #store} then writes changed data
 * clusters (new ones allocated, refcounted and made durable by the caller's metadata flush before
 * the table points at them), rewrites table entries in place (forced), and only then clears
 * {@code in_use} (forced). The directory is rewritten in place: only flag words change, so a torn
 * write leaves each entry either old or new.
 *
 * <p>A resize changes table sizes, so it writes new tables and a new directory and switches the
 * header extension's directory offset with one 8-byte write, as QEMU stores bitmaps; the old
 * clusters are freed after the switch is durable.
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
  private final int clusterBits;
  private final int clusterSize;
  private final long extensionDataOffset;
  private long directoryOffset;
  private final byte[] directory;
  private final int[] entryPositions;
  private final List<BitmapDirectoryEntry> entries;
  /** Consistent bitmaps (not in_use at open), by directory index; null for in_use ones. */
  private final DirtyBitmap[] loaded;
  private volatile boolean marked;
  private boolean allMarked;
  /**
   * A resize failed part-way: the bitmaps on disk may no longer match memory, so they stay
   * in_use (inconsistent, as after a crash) for the rest of this open, never claimed consistent.
   * Non-null while a directory the header may name still has to get its in_use flags: the
   * directory written by the failed resize (its pointer's write may have landed).
   */
  private boolean broken;
  private byte[] unmarkedDirectory;
  private long unmarkedDirectoryOffset;

  private BitmapTracker(HostFile file, int clusterBits, long extensionDataOffset,
      long directoryOffset, byte[] directory, int[] entryPositions,
      List<BitmapDirectoryEntry> entries) {
    this.file = file;
    this.clusterBits = clusterBits;
    this.clusterSize = 1 << clusterBits;
    this.extensionDataOffset = extensionDataOffset;
    this.directoryOffset = directoryOffset;
    this.directory = directory;
    this.entryPositions = entryPositions;
    this.entries = new ArrayList<>(entries);
    this.loaded = new DirtyBitmap[entries.size()];
  }

  /** Loads the bitmaps of a writable image; {@code entries} is the validated directory. */
  public static BitmapTracker open(HostFile file, Header h, BitmapsExtension ext,
      List<BitmapDirectoryEntry> entries, long diskSize) throws IOException {
    byte[] dir = new byte[(int) ext.directorySize()];
    new StructReader(file, file.size()).read("bitmap directory", ext.directoryOffset(),
        dir.length).get(dir);
    ByteBuffer d = ByteBuffer.wrap(dir);
    int[] positions = new int[entries.size()];
    int p = 0;
    for (int i = 0; i < entries.size(); i++) {
      positions[i] = p;
      int nameSize = d.getShort(p + 18) & 0xFFFF;
      long extra = Integer.toUnsignedLong(d.getInt(p + 20));
      p += (int) ((BitmapDirectoryEntry.FIXED_SIZE + extra + nameSize + 7) & ~7L);
    }
    BitmapTracker t = new BitmapTracker(file, h.clusterBits(), findExtension(file, h),
        ext.directoryOffset(), dir, positions, entries);
    for (int i = 0; i < entries.size(); i++) {
      BitmapDirectoryEntry e = entries.get(i);
      if (!e.inUse()) {
        t.loaded[i] = DirtyBitmap.load(file, h.clusterBits(), e, diskSize);
      }
    }
    return t;
  }

  /** Where the bitmaps extension's data starts in cluster 0. */
  private static long findExtension(HostFile file, Header h) throws IOException {
    ByteBuffer c0 = ByteBuffer.allocate(h.clusterSize());
    file.readOrZero(c0, 0);
    int p = h.extensionsStart();
    while (p + 8 <= c0.capacity()) {
      int type = c0.getInt(p);
      int len = c0.getInt(p + 4);
      if (type == 0 || len < 0) {
        break;
      }
      if (type == BitmapsExtension.TYPE) {
        return p + 8;
      }
      p += 8 + ((len + 7) & ~7);
    }
    throw new CorruptImageException("bitmaps header extension", h.extensionsStart(),
        "not found in cluster 0");
  }

  /**
   * The directory entries as they are now (a resize moves the tables), in_use as the directory
   * says once the tracked changes are stored.
   */
  public synchronized List<BitmapDirectoryEntry> entries() {
    return List.copyOf(entries);
  }

  /** Where the directory is now, and its length in bytes. */
  public synchronized long[] directory() {
    return new long[] {directoryOffset, directory.length};
  }

  /** True after a failed resize: the bitmaps are inconsistent for the rest of this open. */
  public synchronized boolean isBroken() {
    return broken;
  }

  private boolean tracks(int i) {
    return loaded[i] != null && loaded[i].entry().auto();
  }

  /** True when no bitmap records changes (writes need not call {@link #track}). */
  public boolean isEmpty() {
    for (int i = 0; i < loaded.length; i++) {
      if (tracks(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when the cluster at {@code offset} holds the bitmap directory or a bitmap table: live
   * metadata the allocator must never hand out.
   */
  public synchronized boolean isMetadata(long offset) {
    long c = offset & ~((long) clusterSize - 1);
    if (c + clusterSize > directoryOffset && c < directoryOffset + directory.length) {
      return true;
    }
    for (BitmapDirectoryEntry e : entries) {
      if (c + clusterSize > e.tableOffset() && c < e.tableOffset() + 8L * e.tableSize()) {
        return true;
      }
    }
    return false;
  }

  /** Records a change to {@code [offset, offset + length)}; call before the change is written. */
  public void track(long offset, long length) throws IOException {
    synchronized (this) {
      if (broken) {
        markAbandonedDirectory();
        return;
      }
      if (!marked) {
        writeFlags(false, true);
        marked = true;
      }
      for (int i = 0; i < loaded.length; i++) {
        if (tracks(i)) {
          loaded[i].set(offset, length);
        }
      }
    }
  }

  /**
   * Writes the changes and clears {@code in_use}. Runs under the writer's metadata lock, so no
   * change is tracked meanwhile.
   */
  public synchronized void store(Allocator allocator, Barrier barrier) throws IOException {
    if (broken) {
      markAbandonedDirectory();
      return;
    }
    if (!marked) {
      return;
    }
    List<long[]> updates = storeData(allocator, barrier);
    for (long[] u : updates) {
      DirtyBitmap b = loaded[(int) u[0]];
      int ci = (int) u[1];
      if (b.table()[ci] != u[2]) {
        file.write(ByteBuffer.allocate(8).putLong(0, u[2]), b.entry().tableOffset() + 8L * ci);
      }
      b.stored(ci, u[2]);
    }
    file.force();
    writeFlags(allMarked, false);
    marked = false;
    allMarked = false;
  }

  /**
   * Writes every changed data cluster (in place, or to a new cluster whose refcount is made
   * durable before returning) and returns the table entries to set: {index, table index, entry}.
   */
  private List<long[]> storeData(Allocator allocator, Barrier barrier) throws IOException {
    boolean allocated = false;
    List<long[]> updates = new ArrayList<>();
    long bitsPerCluster = 8L * clusterSize;
    for (int i = 0; i < loaded.length; i++) {
      DirtyBitmap b = loaded[i];
      if (b == null) {
        continue;
      }
      for (int ci = b.changed().nextSetBit(0); ci >= 0; ci = b.changed().nextSetBit(ci + 1)) {
        byte[] c = b.cluster(ci);
        long e = b.table()[ci];
        long off = e & DirtyBitmap.ENTRY_OFFSET;
        boolean whole = (ci + 1) * bitsPerCluster <= b.size();
        long next;
        if (off != 0) {
          file.write(ByteBuffer.wrap(c), off);
          next = e;
        } else if (whole && Buffers.isAllOnes(c)) {
          next = DirtyBitmap.ENTRY_ALL_ONES;
        } else if (Buffers.isZero(c)) {
          next = 0;
        } else {
          long host = allocator.allocate(1);
          file.write(ByteBuffer.wrap(c), host);
          allocated = true;
          next = host;
        }
        updates.add(new long[] {i, ci, next});
      }
    }
    // Data and refcount increments durable before any table entry points at new data.
    if (allocated) {
      barrier.flush();
    }
    file.force();
    return updates;
  }

  /** Refuses a resize QEMU refuses: an inconsistent bitmap cannot be resized. */
  public void checkResizable() throws Qcow2Exception {
    if (broken) {
      throw new Qcow2Exception(file.name() + ": the persistent bitmaps are inconsistent after a "
          + "failed resize (marked in use); resizing refused");
    }
    for (int i = 0; i < loaded.length; i++) {
      if (loaded[i] == null) {
        throw new Qcow2Exception(file.name() + ": Bitmap '" + entries.get(i).name()
            + "' is inconsistent and cannot be used (it is marked in use); resizing refused");
      }
    }
  }

  /** Marks every bitmap in_use before a resize changes the disk under them. */
  public synchronized void beginResize() throws IOException {
    writeFlags(true, true);
    marked = true;
    allMarked = true;
  }

  /**
   * Resizes every bitmap to a disk of {@code newSize} bytes and stores them all (new tables, new
   * directory, header switched), clearing in_use. {@code freer} frees the old clusters after the
   * switch is durable.
   */
  public synchronized void finishResize(long newSize, Allocator allocator, Barrier barrier,
      RefcountManager refcounts) throws IOException {
    try {
      resize(newSize, allocator, barrier, refcounts);
    } catch (IOException | RuntimeException e) {
      // Every bitmap was marked in_use by beginResize; keep it that way from now on.
      broken = true;
      try {
        markAbandonedDirectory();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /** Gives the directory a failed resize wrote (and may have switched to) its in_use flags. */
  private void markAbandonedDirectory() throws IOException {
    if (unmarkedDirectory == null) {
      return;
    }
    ByteBuffer d = ByteBuffer.wrap(unmarkedDirectory);
    for (int p : entryPositions) {
      d.putInt(p + 12, d.getInt(p + 12) | BitmapDirectoryEntry.FLAG_IN_USE);
    }
    file.write(ByteBuffer.wrap(unmarkedDirectory), unmarkedDirectoryOffset);
    file.force();
    unmarkedDirectory = null;
  }

  private void resize(long newSize, Allocator allocator, Barrier barrier,
      RefcountManager refcounts) throws IOException {
    List<Long> dropped = new ArrayList<>();
    List<long[]> oldTables = new ArrayList<>();
    for (int i = 0; i < loaded.length; i++) {
      DirtyBitmap old = loaded[i];
      oldTables.add(new long[] {old.entry().tableOffset(), 8L * old.entry().tableSize()});
      loaded[i] = old.resized(newSize, dropped);
    }
    List<long[]> updates = storeData(allocator, barrier);
    for (long[] u : updates) {
      loaded[(int) u[0]].stored((int) u[1], u[2]);
    }
    // New tables, exactly sized, then a new directory naming them, all durable before the switch.
    byte[] dir = directory.clone();
    ByteBuffer d = ByteBuffer.wrap(dir);
    for (int i = 0; i < loaded.length; i++) {
      DirtyBitmap b = loaded[i];
      long[] table = b.table();
      long bytes = 8L * table.length;
      long at = allocator.allocate((bytes + clusterSize - 1) >>> clusterBits);
      ByteBuffer t = ByteBuffer.allocate((int) (((bytes + clusterSize - 1) >>> clusterBits)
          << clusterBits));
      t.asLongBuffer().put(table);
      file.write(t, at);
      int p = entryPositions[i];
      d.putLong(p, at);
      d.putInt(p + 8, table.length);
      d.putInt(p + 12, d.getInt(p + 12) & ~BitmapDirectoryEntry.FLAG_IN_USE);
      BitmapDirectoryEntry e = b.entry();
      BitmapDirectoryEntry moved = new BitmapDirectoryEntry(at, table.length,
          e.flags() & ~BitmapDirectoryEntry.FLAG_IN_USE, e.type(), e.granularityBits(),
          e.name());
      b.relocated(moved);
    }
    long dirClusters = (dir.length + clusterSize - 1L) >>> clusterBits;
    long newDir = allocator.allocate(dirClusters);
    file.write(ByteBuffer.wrap(dir), newDir);
    barrier.flush();
    file.force();
    // From here the extension may name the new directory, which says "consistent": if anything
    // fails before the end, it is marked in_use (the tracker gives up on consistency).
    unmarkedDirectory = dir.clone();
    unmarkedDirectoryOffset = newDir;
    file.write(ByteBuffer.allocate(8).putLong(0, newDir), extensionDataOffset + 16);
    file.force();
    long oldDir = directoryOffset;
    directoryOffset = newDir;
    System.arraycopy(dir, 0, directory, 0, dir.length);
    for (int i = 0; i < loaded.length; i++) {
      entries.set(i, loaded[i].entry());
    }
    marked = false;
    allMarked = false;
    // Only now is nothing pointing at the old clusters.
    refcounts.free(oldDir, directory.length);
    for (long[] t : oldTables) {
      refcounts.free(t[0], t[1]);
    }
    for (long off : dropped) {
      refcounts.free(off, clusterSize);
    }
    refcounts.flush();
    unmarkedDirectory = null;
  }

  /** Rewrites the directory in place with in_use set or cleared on the bitmaps we hold. */
  private void writeFlags(boolean all, boolean inUse) throws IOException {
    ByteBuffer d = ByteBuffer.wrap(directory);
    for (int i = 0; i < loaded.length; i++) {
      if (all ? loaded[i] == null : !tracks(i)) {
        continue;
      }
      int at = entryPositions[i] + 12;
      int f = d.getInt(at);
      d.putInt(at, inUse ? f | BitmapDirectoryEntry.FLAG_IN_USE
          : f & ~BitmapDirectoryEntry.FLAG_IN_USE);
    }
    file.write(ByteBuffer.wrap(directory), directoryOffset);
    file.force();
  }
}
