package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;

/**
 * The refusals of {@code qemu-img amend} for qcow2, with its messages (observed on qemu-img
 * 7.2), decided before anything is written: qemu-img finds some of them only half-way through
 * and leaves the earlier changes made; here a refused call changes nothing.
 */
final class AmendChecks {
  /** The message qemu-img prints (with a hint to use rebase) for backing_file and backing_fmt. */
  static final String BACKING = "Cannot amend the backing file";

  private AmendChecks() {}

  /** What the image looks like to the checks. */
  record State(Header header, boolean hasSnapshots, boolean anyCompressed) {}

  /** The target compat level: the option's, or the image's. */
  static int version(AmendOptions o, Header h) {
    return o.version() != null ? o.version() : h.version();
  }

  static int refcountBits(AmendOptions o, Header h) {
    return o.refcountBits() != null ? o.refcountBits() : h.refcountBits();
  }

  /** The checks that need no more than the options and the header, in qemu-img's order. */
  static void options(AmendOptions o, Header h) throws Qcow2Exception {
    if (o.version() != null && o.version() != 2 && o.version() != 3) {
      throw new Qcow2Exception("Unknown compatibility level " + o.version());
    }
    if (o.backingFile() != null || o.backingFormat() != null) {
      throw new Qcow2Exception(BACKING);
    }
    if (o.dataFile() != null && !h.hasExternalDataFile()) {
      throw new Qcow2Exception(
          "data-file can only be set for images that use an external data file");
    }
    if (Boolean.TRUE.equals(o.dataFileRaw()) && !h.isDataFileRaw()) {
      throw new Qcow2Exception("data-file-raw cannot be set on existing images");
    }
    if (o.refcountBits() != null) {
      int rb = o.refcountBits();
      if (rb < 1 || rb > 64 || Integer.bitCount(rb) != 1) {
        throw new Qcow2Exception(
            "Refcount width must be a power of two and may not exceed 64 bits");
      }
    }
    if (o.size() != null && o.size() != 0 && (o.size() < 0 || o.size() % 512 != 0)) {
      throw new Qcow2Exception("The new size must be a multiple of 512");
    }
  }

  /** The checks on the image as it is, after {@link #options}. */
  static void image(AmendOptions o, State s) throws Qcow2Exception {
    Header h = s.header();
    int v = version(o, h);
    int rb = refcountBits(o, h);
    // An upgrade comes first, a downgrade last: the width is checked against the higher level.
    if (rb != h.refcountBits() && Math.max(v, h.version()) < 3) {
      throw new Qcow2Exception("Refcount widths other than 16 bits require compatibility level "
          + "1.1 or above (use compat=1.1 or greater)");
    }
    if (Boolean.TRUE.equals(o.lazyRefcounts()) && v < 3) {
      throw new Qcow2Exception("Lazy refcounts only supported with compatibility level 1.1 and "
          + "above (use compat=1.1 or greater)");
    }
    boolean resizes = o.size() != null && o.size() != 0 && o.size() != h.size();
    if (resizes && s.hasSnapshots() && Math.max(v, h.version()) < 3) {
      throw new Qcow2Exception("Can't resize a v2 image which has snapshots");
    }
    if (resizes && h.isDataFileRaw()) {
      throw new UnsupportedImageException(
          "resizing an image with a raw external data file is not supported yet");
    }
    if (v == 2 && h.version() == 3) {
      if (rb != 16) {
        throw new Qcow2Exception("compat=0.10 requires refcount_bits=16");
      }
      if (h.hasExternalDataFile()) {
        throw new Qcow2Exception("Cannot downgrade an image with a data file");
      }
      if (h.compressionType() != Header.COMPRESSION_DEFLATE && s.anyCompressed()) {
        throw new Qcow2Exception("Cannot downgrade an image with zstd compression type and "
            + "existing compressed clusters");
      }
      long left = h.incompatibleFeatures()
          & ~(Features.INCOMPAT_DIRTY | Features.INCOMPAT_COMPRESSION);
      if (left != 0) {
        throw new Qcow2Exception("Cannot downgrade an image with incompatible features 0x"
            + Long.toHexString(left) + " set");
      }
    }
  }
}
