package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The internal snapshots of a writable image and the four changes to them: create, apply
 * (revert), delete and rewrite (rename). Each runs through the writer's {@link
 * Qcow2DiskWriter#change} template (its lock, the lazy-refcounts dirty bit, corruption marking),
 * after a full flush, as one {@link SnapshotSwitch}. What to do is decided by the caller's {@link
 * Decision} under the lock, against the table as it is then; the operations package checks names,
 * IDs and QEMU's limits there.
 */
public final class SnapshotStore {

  /** Decides, under the writer's lock, what an operation does with the current table. */
  @FunctionalInterface
  public interface Decision<T> {
    T decide(List<SnapshotEntry> current) throws IOException;
  }

  private final Qcow2DiskWriter writer;
  private final Qcow2Disk disk;
  private final HeaderUpdater header;
  private final RefcountManager refcounts;
  private final ClusterAllocator allocator;
  private volatile List<SnapshotEntry> entries = List.of();

  SnapshotStore(Qcow2DiskWriter writer, Qcow2Disk disk, HeaderUpdater header,
      RefcountManager refcounts, ClusterAllocator allocator) {
    this.writer = writer;
    this.disk = disk;
    this.header = header;
    this.refcounts = refcounts;
    this.allocator = allocator;
  }

  /** The table as the image opened it; called once, by the open. */
  public void load(List<SnapshotEntry> initial) {
    this.entries = List.copyOf(initial);
  }

  /** The snapshots as they are now. */
  public List<SnapshotEntry> entries() {
    return entries;
  }

  void setEntries(List<SnapshotEntry> now) {
    this.entries = List.copyOf(now);
  }

  private static final class Holder<T> {
    T value;
  }

  private <T> T run(Decision<T> decision, Body<T> body) throws IOException {
    Holder<T> decided = new Holder<>();
        writer.change(() -> {
      decided.value = decision.decide(entries);
      return true;
    }, () -> {
      writer.flushLocked();
      body.run(decided.value, new SnapshotSwitch(disk, header, refcounts, allocator));
    });
    return decided.value;
  }

  @FunctionalInterface
  private interface Body<T> {
    void run(T decided, SnapshotSwitch sw) throws IOException;
  }

  /**
   * Creates a snapshot of the active disk: {@code make} returns its entry (ID, name, dates, extra
   * data; the L1 fields are filled in here). The snapshot keeps the active L1 table and L2
   * tables; the active disk continues in copies of them, so nothing it names changes in place.
   * Returns the entry as stored.
   */
  public SnapshotEntry create(Decision<SnapshotEntry> make) throws IOException {
    Holder<SnapshotEntry> stored = new Holder<>();
    run(make, (e, sw) -> {
      List<SnapshotEntry> current = entries;
      long[] l1 = disk.l1();
      for (int i = 0; i < l1.length; i++) {
        long[] t = sw.table(l1[i], i);
        if (t != null) {
          sw.addData(t, i, 1);
        }
      }
      long[] active = new long[l1.length];
      for (int i = 0; i < l1.length; i++) {
        long[] t = sw.table(l1[i], i);
        if (t != null) {
          active[i] = sw.writeTable(sw.withFlags(t));
        }
      }
      long activeOffset = sw.writeL1(active);
      SnapshotEntry s = new SnapshotEntry(l1.length == 0 ? 0 : disk.l1Offset(), l1.length,
          e.id(), e.name(), e.dateSeconds(), e.dateNanos(), e.vmClockNanos(), e.vmStateSize(),
          e.diskSize(), e.icount(), e.extraData());
      List<SnapshotEntry> next = new ArrayList<>(current);
      next.add(s);
      sw.free(header.header().snapshotsOffset(), SnapshotSwitch.tableBytes(current));
      long table = sw.writeSnapshotTable(next);
      sw.commit(writer, disk.size(), active, activeOffset, next, table);
      stored.value = s;
    });
    return stored.value;
  }

  /**
   * Makes the snapshot at the index {@code pick} returns the active disk, with its size: the
   * active disk continues in copies of its L2 tables, and the old active tree's references are
   * dropped in the same switch. Returns the snapshot's entry.
   */
  public SnapshotEntry apply(Decision<Integer> pick, boolean sizeChangeAllowed)
      throws IOException {
    int index = run(pick, (idx, sw) -> {
      SnapshotEntry s = entries.get(idx);
      long[] sl1 = sw.readL1(s.l1TableOffset(), s.l1Size(), "L1 table of snapshot '"
          + s.name() + "'");
      long size = s.diskSize() >= 0 ? s.diskSize() : disk.size();
      ClusterGeometry g = disk.layout().geometry();
      long maxSize = Qcow2Limits.MAX_L1_ENTRIES << g.l1Shift();
      if (size < 0 || (size & 511) != 0 || size > maxSize) {
        throw new Qcow2Exception(disk.name() + ": snapshot '" + s.name() + "' records a disk "
            + "size of " + size + " bytes, which is not a multiple of 512 up to " + maxSize);
      }
      if (size != disk.size() && !sizeChangeAllowed) {
        throw new Qcow2Exception(disk.name() + ": snapshot '" + s.name() + "' has a disk size of "
            + size + " bytes, the disk " + disk.size() + "; resizing is not possible here");
      }
      int n = (int) Math.max(sl1.length, g.l1Entries(size));
      long[] old = disk.l1();
      sw.addTree(old, -1);
      sw.free(disk.l1Offset(), 8L * old.length);
      for (int i = 0; i < sl1.length; i++) {
        long[] t = sw.table(sl1[i], i);
        if (t != null) {
          sw.addData(t, i, 1);
        }
      }
      long[] active = new long[n];
      for (int i = 0; i < sl1.length; i++) {
        long[] t = sw.table(sl1[i], i);
        if (t != null) {
          active[i] = sw.writeTable(sw.withFlags(t));
        }
      }
      long activeOffset = sw.writeL1(active);
      sw.commit(writer, size, active, activeOffset, entries,
          header.header().snapshotsOffset());
    });
    return entries.get(index);
  }

  /**
   * Deletes the snapshot at the index {@code pick} returns: its tree's references dropped, its L1
   * table freed, and active tables whose clusters it shared copied with COPIED set where they are
   * owned again. Returns the deleted entry.
   */
  public SnapshotEntry delete(Decision<Integer> pick) throws IOException {
    Holder<SnapshotEntry> deleted = new Holder<>();
    run(pick, (idx, sw) -> {
      List<SnapshotEntry> current = entries;
      SnapshotEntry s = current.get(idx);
      long[] sl1 = sw.readL1(s.l1TableOffset(), s.l1Size(), "L1 table of snapshot '"
          + s.name() + "'");
      sw.addTree(sl1, -1);
      sw.free(s.l1TableOffset(), 8L * s.l1Size());
      List<SnapshotEntry> next = new ArrayList<>(current);
      next.remove((int) idx);
      sw.free(header.header().snapshotsOffset(), SnapshotSwitch.tableBytes(current));
      long table = sw.writeSnapshotTable(next);
      long[] l1 = disk.l1();
      long[] active = l1.clone();
      boolean[] copied = new boolean[l1.length];
      for (int i = 0; i < l1.length; i++) {
        long[] t = sw.table(l1[i], i);
        if (t == null) {
          continue;
        }
        long[] flagged = sw.withFlags(t);
        if (!Arrays.equals(flagged, t)) {
          // The path moves from the old table to its copy: the data's counts stay.
          sw.shadow().add(L1Entry.l2Offset(l1[i]) >>> disk.layout().clusterBits(), -1);
          active[i] = sw.writeTable(flagged);
          copied[i] = true;
        }
      }
      boolean changed = false;
      for (int i = 0; i < l1.length; i++) {
        long off = L1Entry.l2Offset(l1[i]);
        if (copied[i]) {
          changed = true;
        } else if (off != 0) {
          long want = sw.shadow().get(off >>> disk.layout().clusterBits()) == 1
              ? off | L1Entry.COPIED : off;
          changed |= want != l1[i];
          active[i] = want;
        }
      }
      long activeOffset = disk.l1Offset();
      if (changed) {
        activeOffset = sw.writeL1(active);
        sw.free(disk.l1Offset(), 8L * l1.length);
      } else {
        active = l1;
      }
      sw.commit(writer, disk.size(), active, activeOffset, next, table);
      deleted.value = s;
    });
    return deleted.value;
  }

  /**
   * Replaces the table by the list {@code edit} returns, which must name the same L1 tables in
   * the same order (names, IDs and extra data may change): a rename.
   */
  public List<SnapshotEntry> rewrite(Decision<List<SnapshotEntry>> edit) throws IOException {
    run(edit, (next, sw) -> {
      List<SnapshotEntry> current = entries;
      if (next.size() != current.size()) {
        throw new IllegalArgumentException("a rewrite keeps every snapshot");
      }
      for (int i = 0; i < next.size(); i++) {
        if (next.get(i).l1TableOffset() != current.get(i).l1TableOffset()
            || next.get(i).l1Size() != current.get(i).l1Size()) {
          throw new IllegalArgumentException("a rewrite keeps every snapshot's L1 table");
        }
      }
      sw.free(header.header().snapshotsOffset(), SnapshotSwitch.tableBytes(current));
      long table = sw.writeSnapshotTable(next);
      sw.commit(writer, disk.size(), disk.l1(), disk.l1Offset(), next, table);
    });
    return entries;
  }
}
