package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.AmendResult;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code qemu-img amend -o ...} for qcow2, in qemu-img's order: an upgrade to compat 1.1 first,
 * then the refcount width, then the size, then a downgrade to 0.10 last, with lazy refcounts and
 * the data file's options in the final header write. Every refusal is decided before the first
 * write ({@link AmendChecks}).
 *
 * <p>Crash-safe step by step: the header rewrites are one write each ({@link HeaderRewrite}); the
 * width change builds its structures beside the old ones and switches with one header write
 * ({@link RefcountWidthChange}); the size goes through the disk's resize; the zero clusters a
 * downgrade expands, in the active layer and every snapshot, keep the guest content at each
 * write ({@link ZeroClusterExpansion}); a downgrade's persistent bitmaps go with the header
 * switch and their clusters are freed after it ({@link BitmapRelease}). A crash leaves the
 * image at one of the steps, readable and with the same content, leaked clusters at worst.
 *
 * <p>The steps on the file itself run with the image's writer locks held on a bare host file
 * (no cache could then write stale metadata); the others through an image open for writing.
 */
public final class Amend {
  private Amend() {}

  /** The image's structures as they are on disk, read under {@code raw}'s locks. */
  private record Snapshot(Header header, HeaderExtensions ext, long[] l1,
      List<SnapshotEntry> snapshots, boolean backing, List<BitmapDirectoryEntry> bitmaps) {}

  public static AmendResult run(AmendOptions o, ProgressListener listener) throws IOException {
    return run(new PathLocation(o.image()), o, listener);
  }

  /** As above, on the image at {@code loc} ({@code o}'s path is not used). */
  public static AmendResult run(ImageLocation loc, AmendOptions o, ProgressListener listener)
      throws IOException {
    if (o.keySlots() != null) {
      // Key slots need the key secret's bytes, which only the top package reads.
      throw new UnsupportedImageException("key slots are amended through ImageOperations.amend "
          + "(or KeySlotAmend)");
    }
    Header before;
    Snapshot first;
    listener.progress(0, 1);
    try (Qcow2Image img = Qcow2Image.open(loc, writable(o))) {
      // Opened for writing as qemu-img opens it: a dirty lazy-refcounts image is repaired here.
      img.disk().flush();
      before = img.header();
      AmendChecks.options(o, before);
      first = state(img);
      boolean downgrade = AmendChecks.version(o, before) == 2 && before.version() == 3;
      List<Long> tables = downgrade
          ? ZeroExpansion.tableOffsets(img.hostFile(), before, first.l1(), first.snapshots())
          : List.of();
      AmendChecks.image(o, new AmendChecks.State(before, !first.snapshots().isEmpty(),
          downgrade && ZeroExpansion.anyCompressed(img.hostFile(), before, tables)));
      if (downgrade && before.cryptMethod() != 0
          && ZeroExpansion.anyFilled(img.hostFile(), before, tables, first.backing())) {
        // The expansion writes zeros on the host, which an encrypted image would decrypt to
        // garbage (qemu-img 7.2 writes them all the same).
        throw new UnsupportedImageException("Cannot downgrade an encrypted image whose zero "
            + "clusters must become allocated clusters (preallocated, or over a backing file)");
      }
    }
    long[] blocks = {0};
    long expanded = 0;
    int v = AmendChecks.version(o, before);
    int rb = AmendChecks.refcountBits(o, before);

    if (v == 3 && before.version() == 2) {
      try (HostFile raw = lockedFile(loc)) {
        Snapshot s = read(loc, o);
        Header up = HeaderRewrite.withLevel(s.header(), 3, 0, 0, 0);
        HeaderRewrite.write(raw, up, HeaderRewrite.extensionsFor(s.ext(), up, Optional.empty()),
            HeaderRewrite.usedEnd(s.header(), s.ext()));
      }
    }
    if (rb != before.refcountBits()) {
      try (HostFile raw = lockedFile(loc)) {
        Snapshot s = read(loc, o);
        RefcountWidthChange.run(raw, s.header(), Integer.numberOfTrailingZeros(rb), listener,
            blocks);
      }
    }
    boolean resize = o.size() != null && o.size() != 0 && o.size() != before.size();
    boolean downgrade = v == 2 && before.version() == 3;
    boolean shrunk = false;
    if (resize) {
      try (Qcow2Image img = Qcow2Image.open(loc, writable(o))) {
        shrunk = o.size() < img.disk().size();
        // amend shrinks over data: qemu-img's --shrink guard belongs to resize alone.
        img.disk().resize(o.size(), true);
        img.disk().flush();
      }
    }
    try (HostFile raw = lockedFile(loc)) {
      if (shrunk) {
        FileTrim.trim(raw);
      }
      Snapshot s = read(loc, o);
      if (downgrade) {
        List<Long> tables = ZeroExpansion.tableOffsets(raw, s.header(), s.l1(), s.snapshots());
        expanded += ZeroClusterExpansion.run(raw, s.header(), tables, s.backing(), listener);
        // The refcount table may have moved to make room.
        s = read(loc, o);
      }
      Header h = s.header();
      long compatible = h.compatibleFeatures();
      if (o.lazyRefcounts() != null) {
        compatible = o.lazyRefcounts() ? compatible | Features.COMPAT_LAZY_REFCOUNTS
            : compatible & ~Features.COMPAT_LAZY_REFCOUNTS;
      }
      long autoclear = h.autoclearFeatures();
      if (Boolean.FALSE.equals(o.dataFileRaw())) {
        autoclear &= ~Features.AUTOCLEAR_DATA_FILE_RAW;
      }
      long incompatible = h.incompatibleFeatures();
      Optional<String> dataFile = o.dataFile() != null ? Optional.of(o.dataFile())
          : s.ext().dataFile();
      Header next = HeaderRewrite.withLevel(h, v, incompatible, compatible, autoclear);
      HeaderExtensions ext = HeaderRewrite.extensionsFor(s.ext(), next, dataFile);
      if (!next.equals(h) || !ext.equals(s.ext()) || downgrade) {
        HeaderRewrite.write(raw, next, ext, HeaderRewrite.usedEnd(h, s.ext()));
      }
      if (downgrade && !s.bitmaps().isEmpty()) {
        // The v2 header names no bitmaps: their clusters go back (qemu-img 7.2 leaks them).
        BitmapRelease.free(raw, next, s.ext().bitmaps().get(), s.bitmaps());
      }
    }
    Header after;
    try (Qcow2Image img = Qcow2Image.open(loc, OpenOptions.readOnly().toBuilder()
        .openBacking(false).referencePolicy(o.referencePolicy()).keySecret(o.keySecret())
        .build())) {
      after = img.header();
    }
    listener.progress(1, 1);
    return new AmendResult(before, after, expanded, blocks[0]);
  }

  /** The image opened for writing, with the files it names as the options' policy allows. */
  private static OpenOptions writable(AmendOptions o) {
    return OpenOptions.readWrite().toBuilder().referencePolicy(o.referencePolicy())
        .keySecret(o.keySecret()).build();
  }

  /** The image file opened for writing with a writer's locks, and no cache over it. */
  private static HostFile lockedFile(ImageLocation loc) throws IOException {
    HostFile raw = loc.open(true);
    try {
      raw.lock(LockPermissions.image(true, false));
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
    return raw;
  }

  /** The structures on disk now, read by an open that takes no locks (the caller holds them). */
  private static Snapshot read(ImageLocation loc, AmendOptions o) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(loc, OpenOptions.readOnly().toBuilder()
        .locking(false).openBacking(false).referencePolicy(o.referencePolicy())
        .keySecret(o.keySecret()).build())) {
      return state(img);
    }
  }

  private static Snapshot state(Qcow2Image img) {
    // The active disk of an image is always the core's qcow2 disk.
    long[] l1 = ((Qcow2Disk) img.disk()).l1().clone();
    return new Snapshot(img.header(), img.extensions(), l1, img.snapshots(),
        img.backingFile().isPresent(), img.bitmaps());
  }
}
