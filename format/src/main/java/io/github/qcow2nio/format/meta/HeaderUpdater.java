package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;

/**
 * Rewrites single fields of a live header in place, each with one write of the adjacent bytes QEMU
 * also writes together (so a crash leaves either the old or the new pair, never half of each), and
 * keeps the in-memory {@link Header} in step. Every other byte of cluster 0 is left alone, so
 * fields and extensions this library does not interpret survive.
 *
 * <p>The in-memory header is the state the writer works from, so it changes first. A field group
 * whose write failed (or was interrupted, when the bytes may or may not have landed) stays
 * <em>unwritten</em> and is written again by {@link #writePending}, which every flush calls before
 * its first force: memory never silently runs ahead of the file.
 */
public final class HeaderUpdater {
  /** The groups of fields QEMU writes together, by their place in the header. */
  private enum Group {
    SIZE(24), L1_TABLE(36), REFCOUNT_TABLE(48),
    /** Size to snapshots_offset: bytes 24..71, one write inside the header's first sector. */
    TABLES(24);

    final int offset;

    Group(int offset) {
      this.offset = offset;
    }
  }

  private final HostFile file;
  private volatile Header header;
  private final EnumSet<Group> unwritten = EnumSet.noneOf(Group.class);

  public HeaderUpdater(HostFile file, Header header) {
    this.file = file;
    this.header = header;
  }

  public Header header() {
    return header;
  }

  /** l1_size and l1_table_offset: 12 bytes at 36. */
  public synchronized void setL1Table(int l1Size, long l1Offset) throws IOException {
    header = header.toBuilder().l1Size(l1Size).l1TableOffset(l1Offset).build();
    write(Group.L1_TABLE);
  }

  /** refcount_table_offset and refcount_table_clusters: 12 bytes at 48. */
  public synchronized void setRefcountTable(long offset, int clusters) throws IOException {
    header = header.toBuilder().refcountTableOffset(offset).refcountTableClusters(clusters)
        .build();
    write(Group.REFCOUNT_TABLE);
  }

  /**
   * Switches the size, the L1 table, the refcount table and the snapshot table together: one
   * 48-byte write at 24 (every field in between rewritten as it is), so that a crash leaves the
   * image wholly before or wholly after a snapshot operation. Memory changes first; a failed
   * write stays pending for {@link #writePending}.
   */
  public synchronized void switchTables(long size, int l1Size, long l1Offset, long rtOffset,
      int rtClusters, int nbSnapshots, long snapshotsOffset) throws IOException {
    header = header.toBuilder().size(size).l1Size(l1Size).l1TableOffset(l1Offset)
        .refcountTableOffset(rtOffset).refcountTableClusters(rtClusters)
        .nbSnapshots(nbSnapshots).snapshotsOffset(snapshotsOffset).build();
    unwritten.remove(Group.SIZE);
    unwritten.remove(Group.L1_TABLE);
    unwritten.remove(Group.REFCOUNT_TABLE);
    write(Group.TABLES);
  }

  /** The virtual size: 8 bytes at 24. */
  public synchronized void setSize(long size) throws IOException {
    header = header.toBuilder().size(size).build();
    write(Group.SIZE);
  }

  /**
   * The virtual size in memory only; {@link #writePending} puts it on disk at the writer's next
   * flush (see WRITE-PATH.md: a grown size reaches the disk before anything that maps the grown
   * part).
   */
  public synchronized void stageSize(long size) {
    header = header.toBuilder().size(size).build();
    unwritten.add(Group.SIZE);
  }

  /** True when some field group in memory may differ from the file. */
  public synchronized boolean hasPending() {
    return !unwritten.isEmpty();
  }

  /**
   * Writes every field group whose last write failed or was only staged (not forced: the caller
   * forces). Returns true when it wrote anything.
   */
  public synchronized boolean writePending() throws IOException {
    if (unwritten.isEmpty()) {
      return false;
    }
    for (Group g : unwritten.toArray(new Group[0])) {
      write(g);
    }
    return true;
  }

  private void write(Group g) throws IOException {
    unwritten.add(g);
    Header h = header;
    ByteBuffer b = switch (g) {
      case SIZE -> ByteBuffer.allocate(8).putLong(h.size());
      case L1_TABLE -> ByteBuffer.allocate(12).putInt(h.l1Size()).putLong(h.l1TableOffset());
      case REFCOUNT_TABLE -> ByteBuffer.allocate(12).putLong(h.refcountTableOffset())
          .putInt(h.refcountTableClusters());
      case TABLES -> ByteBuffer.allocate(48).putLong(h.size()).putInt(h.cryptMethod())
          .putInt(h.l1Size()).putLong(h.l1TableOffset()).putLong(h.refcountTableOffset())
          .putInt(h.refcountTableClusters()).putInt(h.nbSnapshots())
          .putLong(h.snapshotsOffset());
    };
    file.write(b.flip(), g.offset);
    unwritten.remove(g);
  }

  /** incompatible_features (v3 only): 8 bytes at 72, forced, as QEMU does for the dirty bit. */
  public synchronized void setIncompatibleFeatures(long bits) throws IOException {
    if (header.version() < 3) {
      throw new IllegalStateException("version 2 headers have no feature fields");
    }
    // Written before memory changes: a failure leaves memory at the old bits, and whoever set
    // them writes them again (the dirty bit before the next metadata change, for example).
    file.write(ByteBuffer.allocate(8).putLong(bits).flip(), 72);
    file.force();
    header = header.toBuilder().incompatibleFeatures(bits).build();
  }

  /** autoclear_features (v3 only): 8 bytes at 88, forced. */
  public synchronized void setAutoclearFeatures(long bits) throws IOException {
    if (header.version() < 3) {
      throw new IllegalStateException("version 2 headers have no feature fields");
    }
    file.write(ByteBuffer.allocate(8).putLong(bits).flip(), 88);
    file.force();
    header = header.toBuilder().autoclearFeatures(bits).build();
  }

  /**
   * backing_file_offset and backing_file_size: 12 bytes at 8, one write inside the first sector,
   * forced. Used when the name moves within cluster 0 (the copy at the new place is written and
   * forced by the caller first), so a crash names the old copy or the new one, both intact.
   */
  public synchronized void setBackingFileName(long offset, int size) throws IOException {
    file.write(ByteBuffer.allocate(12).putLong(offset).putInt(size).flip(), 8);
    file.force();
    header = header.toBuilder().backingFileOffset(offset).backingFileSize(size).build();
  }
}
