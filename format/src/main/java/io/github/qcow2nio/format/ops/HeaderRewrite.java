package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.FeatureNameTable;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Cluster 0 rewritten for a new compat level or new feature bits, laid out as {@code qemu-img
 * create} lays out a new image of that level (observed: an image amended to 0.10 or back to 1.1
 * is byte for byte the image created so): the header of the level's length, the extensions (the
 * feature name table only in v3 with clusters over 4 KiB), the backing file name right after the
 * end marker. One write, forced; the bytes the old layout used past the new one are zeroed in
 * the same write, after the first sector (a torn write lands a prefix of whole sectors). When
 * the new layout fits the first sector, that sector is the switch. When it does not and the old
 * one did, the tail is written and forced first, then the first sector. Both past the first
 * sector (long backing names) is one write that a torn write could break.
 */
final class HeaderRewrite {
  private HeaderRewrite() {}

  /** The header for {@code version} with the given feature bits; other fields kept. */
  static Header withLevel(Header h, int version, long incompatible, long compatible,
      long autoclear) {
    var b = h.toBuilder().version(version);
    if (version == 2) {
      b.headerLength(Header.V2_LENGTH).incompatibleFeatures(0).compatibleFeatures(0)
          .autoclearFeatures(0).refcountOrder(4).compressionType(0).unknownTrailer(new byte[0]);
    } else {
      int length = h.version() == 2 ? Header.V3_LENGTH : h.headerLength();
      b.headerLength(length).incompatibleFeatures(incompatible).compatibleFeatures(compatible)
          .autoclearFeatures(autoclear);
    }
    return b.build();
  }

  /** The extensions a header of {@code version} carries, from the image's current ones. */
  static HeaderExtensions extensionsFor(HeaderExtensions e, Header next,
      Optional<String> dataFile) {
    Optional<FeatureNameTable> names = next.version() == 3 && next.clusterSize() > 4096
        ? Optional.of(new FeatureNameTable(Features.standardNames())) : Optional.empty();
    return new HeaderExtensions(e.backingFormat(),
        next.version() == 3 ? dataFile : Optional.empty(), names,
        next.version() == 3 ? e.bitmaps() : Optional.empty(), e.crypto(), e.unknown(),
        e.backingFile());
  }

  /** Writes {@code next} with {@code ext} over cluster 0 (whose old bytes end at oldEnd). */
  static void write(HostFile file, Header next, HeaderExtensions ext, long oldEnd)
      throws IOException {
    byte[] extBytes = ext.extensionBytes();
    byte[] name = ext.backingFile().map(s -> s.getBytes(StandardCharsets.UTF_8))
        .orElse(new byte[0]);
    int headerLength = next.version() == 2 ? Header.V2_LENGTH : next.headerLength();
    long nameOffset = name.length == 0 ? 0 : headerLength + extBytes.length;
    Header h = next.toBuilder().backingFileOffset(nameOffset).backingFileSize(name.length)
        .build();
    byte[] head = h.toBytes();
    int used = head.length + extBytes.length + name.length;
    if (used > h.clusterSize()) {
      throw new Qcow2Exception(file.name() + ": the header, its extensions and the backing file "
          + "name do not fit in one cluster of " + h.clusterSize() + " bytes");
    }
    int length = (int) Math.max(used, Math.min(oldEnd, h.clusterSize()));
    ByteBuffer c0 = ByteBuffer.allocate(length);
    c0.put(head).put(extBytes).put(name).clear();
    if (used > SECTOR && oldEnd <= SECTOR) {
      // The new layout runs past the first sector (a v3 feature table and a backing name): its
      // tail goes first, where the old layout has nothing, and the first sector switches.
      file.write(c0.duplicate().position(SECTOR), SECTOR);
      file.force();
      c0.limit(SECTOR);
    }
    file.write(c0, 0);
    file.force();
  }

  /** A disk writes a sector whole or not at all: the unit of an atomic switch. */
  private static final int SECTOR = 512;

  /** Where the bytes of the current header, extensions and backing name end. */
  static long usedEnd(Header h, HeaderExtensions e) {
    long end = h.extensionsStart() + e.extensionBytes().length;
    if (h.backingFileOffset() != 0) {
      end = Math.max(end, h.backingFileOffset() + h.backingFileSize());
    }
    return end;
  }
}
