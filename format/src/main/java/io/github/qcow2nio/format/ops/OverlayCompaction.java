package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What {@code qemu-img commit} 7.2 does to an overlay once emptied, beyond dropping its clusters
 * (observed: {@code qemu-img check}'s image end offset, the file's length and a dump of the
 * tables). On a v3 image without snapshots, persistent bitmaps, an external data file or
 * encryption, whose new layout fits one refcount block, qemu-img rewrites the image as new:
 * header, refcount table, one refcount block and the L1 table in clusters 0 to 3 and on, the
 * file cut after them. Otherwise it only discards: the L2 tables stay (empty) and so does the
 * file's length, which the emptied disk already matches.
 *
 * <p>Here the same end state is reached in place, with no structure rewritten where a crash
 * could catch it half-done: the L1 table's entries are cleared (each entry names an empty L2
 * table or nothing, which read the same), then the L2 tables' references dropped; then each
 * refcount block that counts nothing but itself is unhooked from the refcount table and its
 * reference dropped; then the file is cut after its last cluster in use. A crash leaks clusters
 * at worst. An image laid out as qemu-img create lays it out (every image qemu-img or this
 * library creates, until the refcount table or the L1 table had to move) ends byte for byte as
 * qemu-img's; one whose tables moved keeps them where they are, the file cut after the last.
 */
final class OverlayCompaction {
  private OverlayCompaction() {}

  /**
   * Whether qemu-img would rewrite the emptied image {@code h} as new (the header as an open
   * image has it: a lazy-refcounts image is marked dirty while open, which is not looked at).
   */
  static boolean applies(Header h, boolean snapshots, boolean bitmaps) {
    long l1Clusters = (8L * h.l1Size() + h.clusterSize() - 1) >>> h.clusterBits();
    return h.version() >= 3 && !snapshots && !bitmaps && !h.hasExternalDataFile()
        && h.cryptMethod() == 0
        && 3 + l1Clusters <= RefcountBlock.entries(h.clusterBits(), h.refcountOrder());
  }

  /** Compacts the emptied image at {@code loc}, under a writer's locks on the bare file. */
  static void run(ImageLocation loc) throws IOException {
    try (HostFile file = loc.open(true)) {
      file.lock(LockPermissions.image(true, false));
      ByteBuffer first = ByteBuffer.allocate((int) Math.min(file.size(), 1 << 21));
      file.read(first, 0);
      run(file, Header.parse(first.flip(), file.name()));
    }
  }

  /**
   * Compacts the emptied image in {@code file} (locked, flushed, no cache over it). Leaves the
   * image as it is when some L2 table still maps a cluster (not an emptied image).
   */
  static void run(HostFile file, Header h) throws IOException {
    int cs = h.clusterSize();
    long l1Bytes = 8L * h.l1Size();
    // Dirty (lazy refcounts left unrepaired): the counts this would read cannot be trusted.
    if (h.isDirty() || l1Bytes > Qcow2Limits.MAX_L1_BYTES
        || (long) h.refcountTableClusters() * cs > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      return;
    }
    StructReader reader = new StructReader(file, file.size());
    ByteBuffer l1 = reader.read("L1 table", h.l1TableOffset(), (int) l1Bytes);
    boolean any = false;
    for (int i = 0; i < h.l1Size(); i++) {
      long l2 = L1Entry.l2Offset(l1.getLong(8 * i));
      if (l2 == 0) {
        continue;
      }
      any = true;
      ByteBuffer t = ByteBuffer.allocate(cs);
      file.readOrZero(t, l2);
      for (int k = 0; k < cs; k += 8) {
        if (t.getLong(k) != 0) {
          return;
        }
      }
    }
    RefcountFile refs = new RefcountFile(file, h);
    if (any) {
      file.write(ByteBuffer.allocate((int) l1Bytes), h.l1TableOffset());
      file.force();
      // Nothing names the L2 tables now.
      for (int i = 0; i < h.l1Size(); i++) {
        long l2 = L1Entry.l2Offset(l1.getLong(8 * i));
        if (l2 != 0) {
          refs.decrement(l2 >>> h.clusterBits());
        }
      }
      file.force();
    }
    refs.dropIdleBlocks();
    FileTrim.trim(file);
  }
}
