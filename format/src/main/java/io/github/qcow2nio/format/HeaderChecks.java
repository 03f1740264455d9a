package io.github.qcow2nio.format;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import java.util.ArrayList;
import java.util.List;

/**
 * What QEMU checks in a header before it reads anything else: features it does not know,
 * encryption, the corrupt bit on a writable open, the geometry extended L2 needs, and tables that
 * lie where no table can. Pure functions of the parsed header.
 */
final class HeaderChecks {
  private HeaderChecks() {}

  /** Refuses what the image's header says we cannot open ({@code writable}: for writing). */
  static void check(Header h, HeaderExtensions ext, String name, boolean writable, long fileSize)
      throws java.io.IOException {
    checkFeatures(h, ext, name);
    if (h.cryptMethod() != Header.CRYPT_NONE) {
      checkEncryption(h, ext, name, writable);
    } else if (ext.crypto().isPresent()) {
      throw new CorruptImageException("full disk encryption header extension", h.extensionsStart(),
          "present in an image that is not LUKS-encrypted");
    }
    if (h.isCorrupt() && writable) {
      throw new UnsupportedImageException(
          name + ": image is marked corrupt; it can only be opened read-only");
    }
    if (h.hasExtendedL2() && h.clusterBits() < 14) {
      throw new CorruptImageException("qcow2 header field cluster_bits", 20,
          "extended L2 entries need clusters of at least 16 KiB (subclusters of 512 bytes); "
              + "cluster size is " + h.clusterSize());
    }
    if (h.isDataFileRaw() && !h.hasExternalDataFile()) {
      throw new CorruptImageException("qcow2 header field autoclear_features", 88,
          "data-file-raw is set without the external data file feature");
    }
    validateTables(h, fileSize);
  }

  /** What QEMU requires of an encrypted image's header; legacy AES images are read-only. */
  private static void checkEncryption(Header h, HeaderExtensions ext, String name,
      boolean writable) throws java.io.IOException {
    String method = switch (h.cryptMethod()) {
      case Header.CRYPT_AES -> "AES";
      case Header.CRYPT_LUKS -> "LUKS";
      default -> throw new UnsupportedImageException(name + ": unsupported encryption method "
          + Integer.toUnsignedString(h.cryptMethod()) + " (qcow2 knows 1, AES, and 2, LUKS)");
    };
    if (h.cryptMethod() == Header.CRYPT_LUKS && ext.crypto().isEmpty()) {
      throw new CorruptImageException("qcow2 header field crypt_method", 32,
          "Missing CRYPTO header for crypt method 2 (no full disk encryption header extension)");
    }
    if (h.cryptMethod() != Header.CRYPT_LUKS && ext.crypto().isPresent()) {
      throw new CorruptImageException("full disk encryption header extension", h.extensionsStart(),
          "CRYPTO header extension only expected with LUKS encryption method");
    }
    if (writable && h.cryptMethod() == Header.CRYPT_AES) {
      throw new UnsupportedImageException(name + ": writing encrypted images is not supported "
          + "for legacy " + method + " encryption (AES-CBC is broken; QEMU refuses it for new "
          + "images); open it read-only, or convert it to LUKS");
    }
  }

  private static void checkFeatures(Header h, HeaderExtensions ext, String name)
      throws UnsupportedImageException {
    long unknown = h.incompatibleFeatures() & ~Features.INCOMPAT_KNOWN;
    if (unknown == 0) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (int bit = 0; bit < 64; bit++) {
      if ((unknown & (1L << bit)) != 0) {
        int b = bit;
        names.add(ext.featureNames()
            .flatMap(t -> t.name(Features.TYPE_INCOMPATIBLE, b))
            .map(n -> n + " (bit " + b + ")")
            .orElse("unknown incompatible feature bit " + b));
      }
    }
    throw new UnsupportedImageException(
        name + ": unsupported qcow2 feature(s): " + String.join(", ", names));
  }

  static void validateTables(Header h, long fileSize) throws CorruptImageException {
    long cmask = h.clusterSize() - 1L;
    if (h.refcountTableClusters() == 0) {
      throw new CorruptImageException("qcow2 header field refcount_table_clusters", 56,
          "image does not contain a reference count table");
    }
    long rtBytes = Integer.toUnsignedLong(h.refcountTableClusters()) * h.clusterSize();
    if (rtBytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      throw new CorruptImageException("refcount table", h.refcountTableOffset(),
          rtBytes + " bytes; at most " + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES);
    }
    if ((h.refcountTableOffset() & cmask) != 0 || h.refcountTableOffset() <= 0
        || h.refcountTableOffset() > Qcow2Limits.MAX_HOST_OFFSET) {
      throw new CorruptImageException("refcount table", h.refcountTableOffset(),
          "offset is not a nonzero multiple of the cluster size " + h.clusterSize());
    }
    if ((h.snapshotsOffset() & cmask) != 0 || h.snapshotsOffset() < 0) {
      throw new CorruptImageException("snapshot table", h.snapshotsOffset(),
          "offset is not a multiple of the cluster size " + h.clusterSize());
    }
    long l1Bytes = Integer.toUnsignedLong(h.l1Size()) * 8;
    if (l1Bytes > Qcow2Limits.MAX_L1_BYTES) {
      throw new CorruptImageException("active L1 table", h.l1TableOffset(),
          Integer.toUnsignedString(h.l1Size()) + " entries exceed 32 MiB");
    }
    if ((h.l1TableOffset() & cmask) != 0 || h.l1TableOffset() < 0
        || (h.l1Size() != 0 && h.l1TableOffset() == 0)) {
      throw new CorruptImageException("active L1 table", h.l1TableOffset(),
          "offset is not a nonzero multiple of the cluster size " + h.clusterSize());
    }
    if (h.size() < 0) {
      throw new CorruptImageException("qcow2 header field size", 24,
          "virtual size " + Long.toUnsignedString(h.size()) + " is too big");
    }
    int l2Bits = h.clusterBits() - (h.hasExtendedL2() ? 4 : 3);
    int shift = h.clusterBits() + l2Bits;
    long needed = (h.size() >>> shift) + ((h.size() & ((1L << shift) - 1)) != 0 ? 1 : 0);
    if (needed > Integer.MAX_VALUE) {
      throw new CorruptImageException("qcow2 header field size", 24,
          "image is too big: " + h.size() + " bytes need " + needed + " L1 entries");
    }
    if (Integer.toUnsignedLong(h.l1Size()) < needed) {
      throw new CorruptImageException("qcow2 header field l1_size", 36,
          "L1 table is too small: " + Integer.toUnsignedString(h.l1Size())
              + " entries; a disk of " + h.size() + " bytes needs " + needed);
    }
  }
}
