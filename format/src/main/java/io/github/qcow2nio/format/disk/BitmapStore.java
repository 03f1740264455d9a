package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.BitmapsHeaderSwitch;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The persistent dirty bitmaps of a writable image and the changes to their set: add, remove,
 * clear, enable, disable, and new contents (merge). An {@link Edit} collects the changes under the
 * writer's lock, after a flush that stored what the enabled bitmaps tracked; then they are made
 * as one switch, as the snapshot operations are: changed bitmaps get new tables and data clusters
 * and the image a new directory, all in clusters free before (allocated and refcounted), made
 * durable; then {@link BitmapsHeaderSwitch} points the header at the new directory; only then are
 * the old directory, tables and data freed. A crash before the switch leaves the old bitmaps and
 * leaked clusters; after it the new bitmaps and at most leaked clusters.
 */
public final class BitmapStore {

  /** Decides the changes, under the writer's lock, against the bitmaps as they are then. */
  @FunctionalInterface
  public interface Editor {
    void edit(Edit edit) throws IOException;
  }

  private final Qcow2DiskWriter writer;
  private final Qcow2Disk disk;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final ClusterAllocator allocator;

  BitmapStore(Qcow2DiskWriter writer, Qcow2Disk disk, HeaderUpdater header,
      RefcountManager refcounts, ClusterAllocator allocator) {
    this.writer = writer;
    this.disk = disk;
    this.header = header;
    this.refcounts = refcounts;
    this.allocator = allocator;
  }

  /**
   * The bitmaps as they are now: the tracker's entries (a resize moves tables; in_use as the
   * directory says once tracked changes are stored), none when the image has no bitmaps.
   */
  public List<BitmapDirectoryEntry> entries() {
    BitmapTracker t = writer.bitmapTracker();
    return t == null ? List.of() : t.entries();
  }

  /** One bitmap of an edit: as stored, or new, with its contents when they change. */
  private static final class Item {
    final BitmapDirectoryEntry stored;
    final String name;
    final int granularityBits;
    int flags;
    byte[] bits;

    Item(BitmapDirectoryEntry stored, String name, int granularityBits, int flags) {
      this.stored = stored;
      this.name = name;
      this.granularityBits = granularityBits;
      this.flags = flags;
    }

    BitmapDirectoryEntry view() {
      return stored != null && bits == null
          ? new BitmapDirectoryEntry(stored.tableOffset(), stored.tableSize(), flags,
              stored.type(), granularityBits, name)
          : new BitmapDirectoryEntry(0, 0, flags, 1, granularityBits, name);
    }
  }

  /** The changes one operation makes, in order; nothing reaches the disk before it ends. */
  public final class Edit {
    private final List<Item> items = new ArrayList<>();
    private final List<BitmapDirectoryEntry> removed = new ArrayList<>();
    private boolean changed;

    private Edit(List<BitmapDirectoryEntry> current) {
      for (BitmapDirectoryEntry e : current) {
        items.add(new Item(e, e.name(), e.granularityBits(), e.flags()));
      }
    }

    /** The bitmaps with the changes so far (new ones with table offset 0). */
    public List<BitmapDirectoryEntry> entries() {
      return items.stream().map(Item::view).toList();
    }

    public Optional<BitmapDirectoryEntry> find(String name) {
      return Optional.ofNullable(item(name)).map(Item::view);
    }

    private Item item(String name) {
      for (Item i : items) {
        if (i.name.equals(name)) {
          return i;
        }
      }
      return null;
    }

    private Item existing(String name) {
      Item i = item(name);
      if (i == null) {
        throw new IllegalArgumentException("no bitmap '" + name + "'");
      }
      return i;
    }

    /** The disk size the bitmaps cover. */
    public long diskSize() {
      return disk.size();
    }

    /** Appends an empty bitmap. */
    public void add(String name, int granularityBits, boolean enabled) {
      if (item(name) != null) {
        throw new IllegalArgumentException("bitmap '" + name + "' exists");
      }
      Item i = new Item(null, name, granularityBits, enabled ? BitmapDirectoryEntry.FLAG_AUTO : 0);
      i.bits = new byte[0];
      items.add(i);
      changed = true;
    }

    public void remove(String name) {
      Item i = existing(name);
      items.remove(i);
      if (i.stored != null) {
        removed.add(i.stored);
      }
      changed = true;
    }

    /** Enables (auto: tracks every change) or disables a bitmap. */
    public void setEnabled(String name, boolean enabled) {
      Item i = existing(name);
      int f = enabled ? i.flags | BitmapDirectoryEntry.FLAG_AUTO
          : i.flags & ~BitmapDirectoryEntry.FLAG_AUTO;
      if (f != i.flags) {
        i.flags = f;
        changed = true;
      }
    }

    /** The bits of a bitmap as they are in this edit (see {@link DirtyBitmap#bytes}). */
    public byte[] bits(String name) throws IOException {
      Item i = existing(name);
      if (i.bits != null) {
        return java.util.Arrays.copyOf(i.bits, byteCount(i.granularityBits));
      }
      HostFile file = disk.imageFile();
      return DirtyBitmap.load(file, header.header().clusterBits(), i.stored, disk.size())
          .bytes();
    }

    /** Gives a bitmap new contents ({@code bits} as {@link #bits} returns them). */
    public void setBits(String name, byte[] bits) {
      Item i = existing(name);
      i.bits = bits.clone();
      changed = true;
    }

    /** The number of bytes of a bitmap of this granularity over the disk. */
    public int byteCount(int granularityBits) {
      long n = (disk.size() + (1L << granularityBits) - 1) >>> granularityBits;
      return (int) ((n + 7) / 8);
    }
  }

  /**
   * Runs an edit: under the writer's lock, after a flush (the tracked changes stored, in_use
   * cleared), then its changes as one switch. Changes the editor made before it threw are made
   * too, as qemu-img keeps the actions before a failed one; the exception is then rethrown.
   */
  public void edit(Editor editor) throws IOException {
    writer.change(() -> true, () -> {
      writer.flushLocked();
      BitmapTracker t = writer.bitmapTracker();
      if (t != null && t.isBroken()) {
        throw new Qcow2Exception(disk.name() + ": the persistent bitmaps are inconsistent after "
            + "a failed resize; reopen the image to change them");
      }
      Edit e = new Edit(entries());
      IOException failed = null;
      RuntimeException bug = null;
      try {
        editor.edit(e);
      } catch (IOException x) {
        failed = x;
      } catch (RuntimeException x) {
        bug = x;
      }
      if (bug != null) {
        throw bug;
      }
      if (e.changed) {
        commit(e);
      }
      if (failed != null) {
        throw failed;
      }
    });
  }

  private void commit(Edit e) throws IOException {
    HostFile file = disk.imageFile();
    int clusterBits = header.header().clusterBits();
    int cs = 1 << clusterBits;
    List<long[]> frees = new ArrayList<>();
    List<BitmapDirectoryEntry> next = new ArrayList<>();
    for (Item it : e.items) {
      if (it.bits == null) {
        next.add(it.view());
        continue;
      }
      next.add(writeBitmap(file, it, clusterBits, e.byteCount(it.granularityBits)));
      if (it.stored != null) {
        frees.addAll(clustersOf(file, it.stored, cs));
      }
    }
    for (BitmapDirectoryEntry r : e.removed) {
      frees.addAll(clustersOf(file, r, cs));
    }
    BitmapsExtension ext = null;
    if (!next.isEmpty()) {
      int bytes = 0;
      for (BitmapDirectoryEntry b : next) {
        bytes += b.length();
      }
      ByteBuffer dir = ByteBuffer.allocate(bytes);
      for (BitmapDirectoryEntry b : next) {
        dir.put(b.toBytes());
      }
      long at = allocator.allocate((bytes + cs - 1L) >>> clusterBits);
      file.write(dir.flip(), at);
      ext = new BitmapsExtension(next.size(), bytes, at);
    }
    BitmapTracker old = writer.bitmapTracker();
    if (old != null) {
      frees.add(old.directory());
    }
    // New clusters' data and refcounts durable before the header names them.
    writer.barrier().flushAndForce();
    file.force();
    new BitmapsHeaderSwitch(file, header).switchTo(ext);
    writer.setBitmaps(ext == null ? null
        : BitmapTracker.open(file, header.header(), ext, next, disk.size()));
    // Only now is nothing pointing at the old clusters.
    for (long[] f : frees) {
      refcounts.free(f[0], f[1]);
    }
    refcounts.flush();
  }

  /** Writes a bitmap's data clusters and table to new clusters; returns its entry. */
  private BitmapDirectoryEntry writeBitmap(HostFile file, Item it, int clusterBits, int byteCount)
      throws IOException {
    int cs = 1 << clusterBits;
    long nbits = (disk.size() + (1L << it.granularityBits) - 1) >>> it.granularityBits;
    int tableSize = (int) Math.max(1, ((long) byteCount + cs - 1) >>> clusterBits);
    long[] table = new long[tableSize];
    byte[] bits = it.bits;
    for (int ci = 0; ci < tableSize; ci++) {
      int from = ci * cs;
      int to = Math.min(Math.min(bits.length, byteCount), from + cs);
      if (from >= to) {
        continue;
      }
      boolean zeros = true;
      boolean ones = to - from == cs && (long) (ci + 1) * cs * 8 <= nbits;
      for (int k = from; k < to && (zeros || ones); k++) {
        zeros &= bits[k] == 0;
        ones &= bits[k] == (byte) 0xFF;
      }
      if (zeros) {
        continue;
      }
      if (ones) {
        table[ci] = DirtyBitmap.ENTRY_ALL_ONES;
        continue;
      }
      byte[] c = new byte[cs];
      System.arraycopy(bits, from, c, 0, to - from);
      long host = allocator.allocate(1);
      file.write(ByteBuffer.wrap(c), host);
      table[ci] = host;
    }
    long tableClusters = (8L * tableSize + cs - 1) >>> clusterBits;
    long at = allocator.allocate(tableClusters);
    ByteBuffer t = ByteBuffer.allocate((int) (tableClusters << clusterBits));
    t.asLongBuffer().put(table);
    file.write(t, at);
    return new BitmapDirectoryEntry(at, tableSize, it.flags & ~BitmapDirectoryEntry.FLAG_IN_USE,
        1, it.granularityBits, it.name);
  }

  /**
   * A stored bitmap's clusters: its table and the data clusters it names (entries that are not a
   * valid data cluster inside the file are skipped: nothing is freed on a guess).
   */
  private static List<long[]> clustersOf(HostFile file, BitmapDirectoryEntry e, int cs)
      throws IOException {
    List<long[]> out = new ArrayList<>();
    long bytes = 8L * Integer.toUnsignedLong(e.tableSize());
    long size = file.size();
    if (e.tableOffset() <= 0 || e.tableOffset() + bytes > size) {
      return out;
    }
    ByteBuffer b = new StructReader(file, size).read("bitmap table of '" + e.name() + "'",
        e.tableOffset(), (int) bytes);
    for (int i = 0; i < e.tableSize(); i++) {
      long v = b.getLong(8 * i);
      long off = v & DirtyBitmap.ENTRY_OFFSET;
      if ((v & DirtyBitmap.ENTRY_RESERVED) == 0 && off != 0 && (off & (cs - 1)) == 0
          && off + cs <= size) {
        out.add(new long[] {off, cs});
      }
    }
    out.add(new long[] {e.tableOffset(), bytes});
    return out;
  }
}
