package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.disk.Qcow2DiskWriter;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qemu-img convert --bitmaps}: the source's persistent bitmaps copied to a qcow2 target,
 * each with its name, granularity, enabled state and bits. Checked before the target exists
 * (an inconsistent bitmap refuses the copy unless it is skipped), copied after the data, all in
 * one switch of the target's bitmap directory.
 */
final class BitmapCopy {
  private BitmapCopy() {}

  /**
   * The bitmaps to copy: all of them, or with {@code skipBroken} the consistent ones (the names
   * of the others go to {@code skipped}); an inconsistent one refuses the copy otherwise.
   */
  static List<BitmapDirectoryEntry> check(Qcow2Image source, boolean skipBroken,
      List<String> skipped) throws Qcow2Exception {
    List<BitmapDirectoryEntry> out = new ArrayList<>();
    for (BitmapDirectoryEntry e : source.bitmaps()) {
      if (e.inUse()) {
        if (!skipBroken) {
          throw new Qcow2Exception("Cannot copy inconsistent bitmap '" + e.name() + "'\n"
              + "Try --skip-broken-bitmaps, or use 'qemu-img bitmap --remove' to delete it");
        }
        skipped.add(e.name());
        continue;
      }
      out.add(e);
    }
    return out;
  }

  /** Refuses a target that cannot hold bitmaps, as qemu-img does once it has created it. */
  static void checkTarget(String format, Qcow2Image target) throws UnsupportedImageException {
    if (target == null || target.header().version() < 3) {
      throw new UnsupportedImageException("Format driver '" + format
          + "' does not support bitmaps");
    }
  }

  /** Adds each bitmap to the target with the source's bits. */
  static void copy(Qcow2Image source, List<BitmapDirectoryEntry> bitmaps, Qcow2Image target)
      throws IOException {
    if (bitmaps.isEmpty()) {
      return;
    }
    List<byte[]> bits = new ArrayList<>();
    for (BitmapDirectoryEntry e : bitmaps) {
      bits.add(DirtyBitmap.load(source.hostFile(), source.header().clusterBits(), e,
          source.disk().size()).bytes());
    }
    Qcow2DiskWriter w = ((Qcow2Disk) target.disk()).writer();
    w.bitmapStore().edit(edit -> {
      for (int i = 0; i < bitmaps.size(); i++) {
        BitmapDirectoryEntry e = bitmaps.get(i);
        if (edit.find(e.name()).isPresent()) {
          throw new Qcow2Exception("Failed to populate bitmap " + e.name()
              + ": Bitmap already exists: " + e.name());
        }
        edit.add(e.name(), e.granularityBits(), e.auto());
        edit.setBits(e.name(), bits.get(i));
      }
    });
  }
}
