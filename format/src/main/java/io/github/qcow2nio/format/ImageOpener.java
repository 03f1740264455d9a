package io.github.qcow2nio.format;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.crypto.ImageEncryption;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Opens a qcow2 image: takes its locks, reads and checks its header, tables and snapshots, opens
 * its data file and backing chain, and on any failure closes everything it opened so far, so a
 * failed open holds no file and no lock.
 */
final class ImageOpener {
  private ImageOpener() {}

  static Qcow2Image open(ImageLocation location, OpenOptions options, Set<Object> chain,
      int depth) throws IOException {
    chain.add(location.identity());
    HostFile file = location.open(options.writable());
    boolean ok = false;
    List<Closeable> opened = new ArrayList<>();
    try {
      // Before the first byte is read, as QEMU: a writer elsewhere may be mid-update.
      if (options.locking()) {
        file.lock(LockPermissions.image(options.writable(), options.forceShare()));
      }
      Qcow2Image image = openOn(location, file, options, chain, depth, opened);
      ok = true;
      return image;
    } finally {
      if (!ok) {
        for (Closeable c : opened) {
          closeQuietly(c);
        }
        closeQuietly(file);
      }
    }
  }

  private static Qcow2Image openOn(ImageLocation location, HostFile file, OpenOptions options,
      Set<Object> chain, int depth, List<Closeable> opened) throws IOException {
    String name = location.displayName();
    long fileSize = file.size();
    // The header and its extensions may fill all of cluster 0; its size is in bytes 20..23.
    ByteBuffer cluster0 = readStart(file, Math.min(fileSize, 4096));
    int bits = cluster0.remaining() >= 24 ? cluster0.getInt(20) : 0;
    if (bits > 12 && bits <= Header.MAX_CLUSTER_BITS && fileSize > cluster0.remaining()) {
      cluster0 = readStart(file, Math.min(fileSize, 1L << bits));
    }
    Header h = Header.parse(cluster0, name);
    HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);

    HeaderChecks.check(h, ext, name, options.writable(), fileSize);
    ImageEncryption encryption = EncryptionOpen.open(file, fileSize, h, ext, options, name);
    if (encryption != null) {
      opened.add(encryption);
    }

    long[] l1 = readL1(file, h, fileSize);
    StructReader structs = new StructReader(file, fileSize);
    List<SnapshotEntry> snapshots = SnapshotTable.read(structs, h);
    List<BitmapDirectoryEntry> bitmaps = List.of();
    if (ext.bitmaps().isPresent() && h.hasBitmaps()) {
      bitmaps = BitmapDirectoryEntry.readDirectory(structs, h, ext.bitmaps().get());
    }

    HostFile dataFile = ExternalDataFile.open(location, h, ext, options, snapshots);
    if (dataFile != null) {
      opened.add(dataFile);
    }

    String backingFormat = ext.backingFormat().orElse(null);
    BackingChain.Backing backing = null;
    if (ext.backingFile().isPresent() && options.openBacking()) {
      backing = BackingChain.open(location, ext.backingFile().get(), backingFormat, options,
          chain, depth);
      opened.add(backing.owner());
    }
    Closeable backingOwner = backing == null ? null : backing.owner();
    VirtualDisk backingDisk = backing == null ? null : backing.disk();
    Qcow2Image image = new Qcow2Image(location, file, h, ext, snapshots, bitmaps, dataFile,
        backingOwner, backingDisk, backingFormat, l1, options, encryption);
    if (options.writable()) {
      WritableOpen.enable(image);
    }
    return image;
  }

  private static ByteBuffer readStart(HostFile file, long length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) length);
    file.read(b, 0);
    return b.flip();
  }

  private static long[] readL1(HostFile file, Header h, long fileSize) throws IOException {
    int n = h.l1Size();
    if (n == 0) {
      return new long[0];
    }
    ByteBuffer buf = new StructReader(file, fileSize).read("active L1 table", h.l1TableOffset(),
        n * 8);
    long[] l1 = new long[n];
    LongBuffer lb = buf.asLongBuffer();
    lb.get(l1);
    return l1;
  }

  private static void closeQuietly(Closeable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (IOException ignored) {
      // The open already failed; that failure is the one to report.
    }
  }
}
