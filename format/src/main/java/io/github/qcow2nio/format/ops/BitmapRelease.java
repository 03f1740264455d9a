package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The clusters of persistent bitmaps a header no longer names, given back: a downgrade to
 * compat 0.10 cannot keep the bitmaps (v2 has no autoclear bits, so any reader would have to
 * take them as inconsistent), and qemu-img 7.2 leaves their clusters allocated, which its own
 * check then reports as leaked. Called only after the header without them is durable, so a
 * crash here leaks clusters at worst. Entries that are not a valid cluster inside the file are
 * skipped: nothing is freed on a guess.
 */
final class BitmapRelease {
  private BitmapRelease() {}

  /** Frees the directory, every bitmap's table and its data clusters; forced. */
  static void free(HostFile file, Header h, BitmapsExtension ext,
      List<BitmapDirectoryEntry> bitmaps) throws IOException {
    RefcountManager refcounts = RefcountManager.load(file, new HeaderUpdater(file, h));
    int cs = h.clusterSize();
    long size = file.size();
    Set<Long> clusters = new LinkedHashSet<>();
    for (BitmapDirectoryEntry b : bitmaps) {
      long bytes = 8L * Integer.toUnsignedLong(b.tableSize());
      if (!inside(b.tableOffset(), bytes, cs, size)
          || bytes > BitmapDirectoryEntry.MAX_TABLE_ENTRIES * 8) {
        continue;
      }
      ByteBuffer t = ByteBuffer.allocate((int) bytes);
      file.readOrZero(t, b.tableOffset());
      for (int i = 0; i < b.tableSize(); i++) {
        long e = t.getLong(8 * i);
        long off = e & DirtyBitmap.ENTRY_OFFSET;
        if ((e & DirtyBitmap.ENTRY_RESERVED) == 0 && off != 0 && inside(off, cs, cs, size)) {
          add(clusters, off, cs, h);
        }
      }
      add(clusters, b.tableOffset(), bytes, h);
    }
    if (inside(ext.directoryOffset(), ext.directorySize(), cs, size)) {
      add(clusters, ext.directoryOffset(), ext.directorySize(), h);
    }
    // Each cluster once, and never below 0: a hostile directory may name one twice.
    for (long c : clusters) {
      long v = refcounts.get(c);
      if (v > 0) {
        refcounts.set(c, v - 1);
      }
    }
    refcounts.flush();
    file.force();
  }

  private static void add(Set<Long> out, long offset, long length, Header h) {
    for (long c = offset >>> h.clusterBits(); c <= (offset + length - 1) >>> h.clusterBits();
        c++) {
      out.add(c);
    }
  }

  private static boolean inside(long offset, long length, int cs, long fileSize) {
    return offset >= cs && (offset & (cs - 1)) == 0 && length > 0 && offset + length <= fileSize
        + cs;
  }
}
