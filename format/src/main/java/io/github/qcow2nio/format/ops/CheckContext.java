package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * What one check works on: the image file (writable when repairing), its parsed header and
 * tables, the options, and the progress of the walk over the tables.
 */
record CheckContext(HostFile file, Header header, HeaderExtensions extensions,
    List<SnapshotEntry> snapshots, List<BitmapDirectoryEntry> bitmaps, boolean externalData,
    CheckOptions options, long[] progress) {

  /** QEMU's classification of a standard L2 entry's first word. */
  enum Kind { COMPRESSED, ZERO_PLAIN, ZERO_ALLOC, NORMAL, UNALLOCATED }

  static CheckContext of(HostFile file, Header header, HeaderExtensions extensions,
      List<SnapshotEntry> snapshots, List<BitmapDirectoryEntry> bitmaps, boolean externalData,
      CheckOptions options) {
    long total = header.l1Size();
    for (SnapshotEntry s : snapshots) {
      total += Integer.toUnsignedLong(s.l1Size());
    }
    // Two walks over the tables when repairing (the second checks the repaired image) are
    // reported as two rounds of the same total.
    return new CheckContext(file, header, extensions, List.copyOf(snapshots),
        List.copyOf(bitmaps), externalData, options, new long[] {0, Math.max(1, total)});
  }

  Consumer<String> messages() {
    return options.messages();
  }

  /** One L1 entry walked: progress, and a chance to cancel. */
  void step() throws InterruptedIOException {
    step(1);
  }

  /** An L1 entry that {@code n} tables hold, walked once for all of them. */
  void step(long n) throws InterruptedIOException {
    long before = progress[0];
    long done = progress[0] += n;
    if ((done >>> 6) != (before >>> 6) || done >= progress[1]) {
      if (options.cancelled().getAsBoolean()) {
        throw new InterruptedIOException("check cancelled");
      }
      options.listener().progress(Math.min(done, progress[1]), progress[1]);
    }
  }

  /** Starts another round of progress (the double check after a repair). */
  void restart() {
    progress[0] = 0;
  }

  Kind kind(long w) {
    if ((w & L2Entry.COMPRESSED) != 0) {
      return Kind.COMPRESSED;
    }
    long offset = w & L2Entry.OFFSET_MASK;
    if ((w & L2Entry.ZERO_FLAG) != 0 && !header.hasExtendedL2()) {
      return offset != 0 ? Kind.ZERO_ALLOC : Kind.ZERO_PLAIN;
    }
    if (offset == 0) {
      // With a data file host offset 0 is real; its COPIED flag tells it from unallocated.
      return externalData && (w & L2Entry.COPIED) != 0 ? Kind.NORMAL : Kind.UNALLOCATED;
    }
    return Kind.NORMAL;
  }
}
