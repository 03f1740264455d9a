package io.github.qcow2nio.format;

import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.disk.Qcow2DiskWriter;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.ops.RefcountRebuild;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Turns an image opened for writing into a writable one: the steps QEMU takes first. */
final class WritableOpen {
  private WritableOpen() {}

  /**
   * Prepares a writable open as QEMU does: unknown autoclear bits are cleared before anything else
   * is written (the bitmaps bit only when the bitmaps are already inconsistent), a dirty image gets
   * its refcounts rebuilt, and enabled persistent bitmaps start tracking changes.
   */
  static void enable(Qcow2Image image) throws IOException {
    HostFile file = image.hostFile();
    ImageLocation location = image.location();
    HeaderUpdater headerUpdater = image.headerUpdater();
    HeaderExtensions extensions = image.extensions();
    List<SnapshotEntry> snapshots = image.snapshots();
    List<BitmapDirectoryEntry> bitmaps = image.bitmaps();
    Qcow2Disk disk = image.qcow2Disk();
    if (!file.isWritable()) {
      throw new ReadOnlyDiskException(
          location.displayName() + " cannot be opened for writing");
    }
    Header h = headerUpdater.header();
    if (extensions.backingFile().isPresent() && image.backingDisk().isEmpty()) {
      // Copy-on-write must read the backing file; without it partial writes would copy zeros.
      throw new UnsupportedImageException(location.displayName() + ": the image has a backing "
          + "file; opening it writable needs its backing chain (openBacking)");
    }
    if (h.version() >= 3) {
      // The bitmaps bit stays when the bitmaps are consistent: they are kept up to date below.
      long known = Features.AUTOCLEAR_DATA_FILE_RAW
          | (bitmaps.isEmpty() ? 0 : Features.AUTOCLEAR_BITMAPS);
      long keep = h.autoclearFeatures() & known;
      if (keep != h.autoclearFeatures()) {
        headerUpdater.setAutoclearFeatures(keep);
      }
    }
    RefcountManager refcounts = RefcountManager.load(file, headerUpdater);
    if (h.isDirty()) {
      RefcountRebuild.rebuild(file, headerUpdater, refcounts, disk.l1(), snapshots,
          extensions, bitmaps, image.dataFileName().isPresent());
      refcounts.flush();
      file.force();
      headerUpdater.setIncompatibleFeatures(
          headerUpdater.header().incompatibleFeatures() & ~Features.INCOMPAT_DIRTY);
    }
    List<long[]> fixed = new ArrayList<>();
    if (!snapshots.isEmpty()) {
      long tableBytes = 0;
      for (SnapshotEntry s : snapshots) {
        tableBytes += s.length();
        // A size past QEMU's 32 MiB is a lie no operation reads through: it guards nothing.
        if (Integer.toUnsignedLong(s.l1Size()) <= Qcow2Limits.MAX_L1_ENTRIES) {
          fixed.add(new long[] {s.l1TableOffset(), 8L * s.l1Size()});
        }
      }
      fixed.add(new long[] {h.snapshotsOffset(), tableBytes});
    }
    Qcow2DiskWriter writer = new Qcow2DiskWriter(disk, headerUpdater, refcounts,
        !snapshots.isEmpty(), fixed);
    if (!bitmaps.isEmpty()) {
      DirtyBitmap.checkTablesFitFile(bitmaps, extensions.bitmaps().get().directoryOffset(),
          file.size());
      writer.setBitmaps(BitmapTracker.open(file, headerUpdater.header(),
          extensions.bitmaps().get(), bitmaps, h.size()));
    }
    writer.snapshots().load(snapshots);
    disk.enableWrites(writer);
  }
}
