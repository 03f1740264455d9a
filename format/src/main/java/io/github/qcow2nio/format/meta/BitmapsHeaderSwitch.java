package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Points cluster 0 at a new bitmap directory (or at none): the one switch of a bitmap operation,
 * made so that a crash or a torn write at any point leaves either the old bitmaps, the new ones,
 * or bitmaps QEMU reads as inconsistent (leaked clusters, which {@code qemu-img check -r} frees),
 * never an extension that names half of each.
 *
 * <p>Why it is safe: a disk writes a 512-byte sector whole or not at all, so an aligned 8-byte
 * write is atomic; a longer one is atomic only within one sector. And QEMU ignores the bitmaps
 * extension whatever it holds while the autoclear "bitmaps" bit is clear, whereas that bit set
 * with no extension makes QEMU overwrite live clusters later (observed with qemu-img 7.2). So:
 * <ul>
 *   <li><b>extension there, new directory</b>: its 24 data bytes in one write when they lie in
 *       one sector; otherwise the bit is cleared first, the bytes written and forced, and the bit
 *       set again (a crash in between reads as inconsistent bitmaps);
 *   <li><b>first bitmap</b> (no extension yet): the extension's data and a new end marker are
 *       written after the old end marker (space nobody reads), forced; then the old end marker's
 *       8 bytes become the extension's type and length (atomic), forced; then the bit is set,
 *       forced. When the backing file name sits where the extension goes, it is first copied to
 *       the end of cluster 0, forced, and the header's 12 bytes at 8 switched to the copy;
 *   <li><b>last bitmap removed</b>: the bit is cleared, forced (the bitmaps now read as
 *       inconsistent); then the extension's 8 type bytes become an end marker when the bitmaps
 *       extension is the last one, forced. When other extensions follow it (only foreign writers
 *       put them there) it stays, ignored, until QEMU's next writable open drops it.
 * </ul>
 */
public final class BitmapsHeaderSwitch {
  private static final int SECTOR = 512;
  private static final int AUTOCLEAR_AT = 88;

  private final HostFile file;
  private final HeaderUpdater header;

  public BitmapsHeaderSwitch(HostFile file, HeaderUpdater header) {
    this.file = file;
    this.header = header;
  }

  /** Where the extensions are: the bitmaps extension's offset (-1 when none) and the end's. */
  private record Layout(int bitmapsAt, int endAt, boolean bitmapsLast) {}

  private Layout scan(ByteBuffer c0, Header h) throws CorruptImageException {
    int p = h.extensionsStart();
    long limit = Math.min(h.extensionsLimit(), c0.capacity());
    int bitmapsAt = -1;
    int previous = -1;
    while (p + 8 <= limit) {
      int type = c0.getInt(p);
      long len = Integer.toUnsignedLong(c0.getInt(p + 4));
      if (type == 0) {
        return new Layout(bitmapsAt, p, bitmapsAt >= 0 && previous == bitmapsAt);
      }
      if (type == BitmapsExtension.TYPE) {
        bitmapsAt = p;
      }
      previous = p;
      long next = p + 8 + ((len + 7) & ~7L);
      if (next > limit) {
        break;
      }
      p = (int) next;
    }
    // QEMU also accepts an extension area ended by the backing file name or the cluster's end.
    return new Layout(bitmapsAt, p, bitmapsAt >= 0 && previous == bitmapsAt);
  }

  /** Makes {@code next} the image's bitmaps extension ({@code null}: the image has no bitmaps). */
  public void switchTo(BitmapsExtension next) throws IOException {
    Header h = header.header();
    if (h.version() < 3) {
      throw new IllegalStateException("version 2 images have no bitmaps");
    }
    ByteBuffer c0 = ByteBuffer.allocate(h.clusterSize());
    file.readOrZero(c0, 0);
    Layout l = scan(c0, h);
    long bit = Features.AUTOCLEAR_BITMAPS;
    // The file's bit, not memory's: a failed earlier switch may have landed either way.
    boolean set = (c0.getLong(AUTOCLEAR_AT) & bit) != 0;
    if (next == null) {
      if (l.bitmapsAt < 0) {
        if (set) {
          header.setAutoclearFeatures(h.autoclearFeatures() & ~bit);
        }
        return;
      }
      if (set) {
        header.setAutoclearFeatures(h.autoclearFeatures() & ~bit);
      }
      if (l.bitmapsLast) {
        file.write(ByteBuffer.allocate(8), l.bitmapsAt);
        file.force();
      }
      return;
    }
    byte[] data = next.toBytes();
    if (l.bitmapsAt >= 0) {
      int at = l.bitmapsAt + 8;
      boolean oneSector = at / SECTOR == (at + data.length - 1) / SECTOR;
      if (set && !oneSector) {
        header.setAutoclearFeatures(h.autoclearFeatures() & ~bit);
        set = false;
      }
      file.write(ByteBuffer.wrap(data), at);
      file.force();
      if (!set) {
        header.setAutoclearFeatures(header.header().autoclearFeatures() | bit);
      }
      return;
    }
    insert(c0, h, l, data, set);
  }

  private void insert(ByteBuffer c0, Header h, Layout l, byte[] data, boolean set)
      throws IOException {
    int end = l.endAt;
    int needed = end + 8 + data.length + 8;
    long backing = h.backingFileOffset();
    int nameLen = h.backingFileSize();
    if (backing != 0 && needed > backing) {
      // The name moves to the end of cluster 0, clear of where it is now and of the extension.
      long to = (h.clusterSize() - nameLen) & ~7L;
      if (to < needed || to < backing + nameLen) {
        throw new Qcow2Exception(file.name() + ": no room in the header cluster for the bitmaps "
            + "extension beside the backing file name (" + h.clusterSize() + "-byte clusters)");
      }
      byte[] name = new byte[nameLen];
      c0.get((int) backing, name);
      file.write(ByteBuffer.wrap(name), to);
      file.force();
      header.setBackingFileName(to, nameLen);
    } else if (needed > h.clusterSize()) {
      throw new Qcow2Exception(file.name() + ": no room in the header cluster for the bitmaps "
          + "extension (" + h.clusterSize() + "-byte clusters)");
    }
    // Data and the new end marker after the old end marker, which still ends the area.
    file.write(ByteBuffer.wrap(java.util.Arrays.copyOf(data, data.length + 8)), end + 8);
    file.force();
    if (set) {
      // A stale bit with no extension: clear it before the extension appears inconsistent-free.
      header.setAutoclearFeatures(header.header().autoclearFeatures()
          & ~Features.AUTOCLEAR_BITMAPS);
    }
    file.write(ByteBuffer.allocate(8).putInt(BitmapsExtension.TYPE).putInt(data.length).flip(),
        end);
    file.force();
    header.setAutoclearFeatures(header.header().autoclearFeatures()
        | Features.AUTOCLEAR_BITMAPS);
  }
}
