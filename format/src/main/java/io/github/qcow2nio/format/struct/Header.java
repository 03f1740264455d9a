package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.NotQcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The fixed qcow2 header (bytes 0..header_length of cluster 0), version 2 or 3.
 *
 * @param unknownTrailer header bytes from 112 up to header_length: fields a newer writer added,
 *     kept verbatim so that rewriting the header preserves them
 */
public record Header(
    int version,
    long backingFileOffset,
    int backingFileSize,
    int clusterBits,
    long size,
    int cryptMethod,
    int l1Size,
    long l1TableOffset,
    long refcountTableOffset,
    int refcountTableClusters,
    int nbSnapshots,
    long snapshotsOffset,
    long incompatibleFeatures,
    long compatibleFeatures,
    long autoclearFeatures,
    int refcountOrder,
    int headerLength,
    int compressionType,
    byte[] unknownTrailer) {

  public static final int MAGIC = 0x514649FB;
  public static final int V2_LENGTH = 72;
  public static final int V3_MIN_LENGTH = 104;
  /** The length QEMU writes for v3: the fields it knows, including compression_type. */
  public static final int V3_LENGTH = 112;
  public static final int MIN_CLUSTER_BITS = 9;
  public static final int MAX_CLUSTER_BITS = 21;
  public static final int MAX_REFCOUNT_ORDER = 6;

  public static final int CRYPT_NONE = 0;
  public static final int CRYPT_AES = 1;
  public static final int CRYPT_LUKS = 2;

  public static final int COMPRESSION_DEFLATE = 0;
  public static final int COMPRESSION_ZSTD = 1;

  public Header {
    unknownTrailer = unknownTrailer == null ? new byte[0] : unknownTrailer.clone();
  }

  public int clusterSize() {
    return 1 << clusterBits;
  }

  public int refcountBits() {
    return 1 << refcountOrder;
  }

  public boolean hasIncompatible(long mask) {
    return (incompatibleFeatures & mask) != 0;
  }

  public boolean isDirty() {
    return hasIncompatible(Features.INCOMPAT_DIRTY);
  }

  public boolean isCorrupt() {
    return hasIncompatible(Features.INCOMPAT_CORRUPT);
  }

  public boolean hasExternalDataFile() {
    return hasIncompatible(Features.INCOMPAT_DATA_FILE);
  }

  public boolean hasExtendedL2() {
    return hasIncompatible(Features.INCOMPAT_EXTL2);
  }

  public boolean hasLazyRefcounts() {
    return (compatibleFeatures & Features.COMPAT_LAZY_REFCOUNTS) != 0;
  }

  public boolean isDataFileRaw() {
    return (autoclearFeatures & Features.AUTOCLEAR_DATA_FILE_RAW) != 0;
  }

  public boolean hasBitmaps() {
    return (autoclearFeatures & Features.AUTOCLEAR_BITMAPS) != 0;
  }

  /** Where header extensions start: right after the header. */
  public int extensionsStart() {
    return version == 2 ? V2_LENGTH : headerLength;
  }

  /** Where header extensions must end: the backing file name, or the end of cluster 0. */
  public long extensionsLimit() {
    return backingFileOffset != 0 ? backingFileOffset : clusterSize();
  }

  /**
   * A builder starting from QEMU's version 3 defaults: 64 KiB clusters, 16-bit refcounts, a
   * 112-byte header, deflate, every offset, count and feature word zero. Header values are
   * changed through a builder rather than a copy method per field: a rewrite changes one or two
   * fields and must keep all the others, trailer included.
   */
  public static HeaderBuilder builder() {
    return new HeaderBuilder();
  }

  /** A builder holding every field of this header, to change some and keep the rest. */
  public HeaderBuilder toBuilder() {
    return new HeaderBuilder()
        .version(version).backingFileOffset(backingFileOffset).backingFileSize(backingFileSize)
        .clusterBits(clusterBits).size(size).cryptMethod(cryptMethod).l1Size(l1Size)
        .l1TableOffset(l1TableOffset).refcountTableOffset(refcountTableOffset)
        .refcountTableClusters(refcountTableClusters).nbSnapshots(nbSnapshots)
        .snapshotsOffset(snapshotsOffset).incompatibleFeatures(incompatibleFeatures)
        .compatibleFeatures(compatibleFeatures).autoclearFeatures(autoclearFeatures)
        .refcountOrder(refcountOrder).headerLength(headerLength).compressionType(compressionType)
        .unknownTrailer(unknownTrailer);
  }

  /**
   * Parses and validates the header at the start of {@code buf} (which holds at least the first
   * {@code min(file size, 4096)} bytes of the image). Applies every check QEMU makes before it
   * looks at any other structure.
   */
  public static Header parse(ByteBuffer buf, String file) throws java.io.IOException {
    ByteBuffer b = buf.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
    int avail = b.remaining();
    int base = b.position();
    if (avail < 4 || b.getInt(base) != MAGIC) {
      throw new NotQcow2Exception(file);
    }
    if (avail < 8) {
      throw new CorruptImageException("qcow2 header", 0, "file ends after " + avail + " bytes");
    }
    int version = b.getInt(base + 4);
    if (version != 2 && version != 3) {
      throw new UnsupportedImageException(
          file + ": unsupported qcow2 version " + Integer.toUnsignedString(version)
              + " (2 and 3 are defined)");
    }
    int needed = version == 2 ? V2_LENGTH : V3_MIN_LENGTH;
    if (avail < needed) {
      throw new CorruptImageException("qcow2 header", 0,
          "file ends after " + avail + " bytes; a version " + version + " header needs " + needed);
    }
    long backingFileOffset = b.getLong(base + 8);
    int backingFileSize = b.getInt(base + 16);
    int clusterBits = b.getInt(base + 20);
    long size = b.getLong(base + 24);
    int cryptMethod = b.getInt(base + 32);
    int l1Size = b.getInt(base + 36);
    long l1TableOffset = b.getLong(base + 40);
    long refcountTableOffset = b.getLong(base + 48);
    int refcountTableClusters = b.getInt(base + 56);
    int nbSnapshots = b.getInt(base + 60);
    long snapshotsOffset = b.getLong(base + 64);

    if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
      throw new CorruptImageException("qcow2 header field cluster_bits", 20,
          "value " + Integer.toUnsignedString(clusterBits) + "; expected "
              + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS + " (512 B to 2 MiB clusters)");
    }
    long clusterSize = 1L << clusterBits;

    long incompatible = 0;
    long compatible = 0;
    long autoclear = 0;
    int refcountOrder = 4;
    int headerLength = V2_LENGTH;
    int compressionType = COMPRESSION_DEFLATE;
    byte[] trailer = new byte[0];
    if (version == 3) {
      incompatible = b.getLong(base + 72);
      compatible = b.getLong(base + 80);
      autoclear = b.getLong(base + 88);
      refcountOrder = b.getInt(base + 96);
      headerLength = b.getInt(base + 100);
      if (Integer.toUnsignedLong(headerLength) < V3_MIN_LENGTH) {
        throw new CorruptImageException("qcow2 header field header_length", 100,
            "value " + Integer.toUnsignedString(headerLength) + "; expected at least "
                + V3_MIN_LENGTH);
      }
      if (Integer.toUnsignedLong(headerLength) > clusterSize) {
        throw new CorruptImageException("qcow2 header field header_length", 100,
            "value " + Integer.toUnsignedString(headerLength) + " exceeds the cluster size "
                + clusterSize);
      }
      if (avail < headerLength) {
        throw new CorruptImageException("qcow2 header", 0,
            "file ends after " + avail + " bytes; header_length is " + headerLength);
      }
      if (headerLength > V3_MIN_LENGTH) {
        compressionType = b.get(base + 104) & 0xFF;
      }
      if (headerLength > V3_LENGTH) {
        trailer = new byte[headerLength - V3_LENGTH];
        b.get(base + V3_LENGTH, trailer);
      }
    }
    if (Long.compareUnsigned(backingFileOffset, clusterSize) > 0) {
      throw new CorruptImageException("qcow2 header field backing_file_offset", 8,
          "value 0x" + Long.toHexString(backingFileOffset)
              + " lies outside cluster 0 (cluster size " + clusterSize + ")");
    }
    boolean typeBit = (incompatible & Features.INCOMPAT_COMPRESSION) != 0;
    if (compressionType == COMPRESSION_DEFLATE && typeBit) {
      throw new CorruptImageException("qcow2 header field incompatible_features", 72,
          "compression type incompatible feature bit is set but compression_type is 0 (deflate)");
    }
    if (compressionType != COMPRESSION_DEFLATE && !typeBit) {
      throw new CorruptImageException("qcow2 header field incompatible_features", 72,
          "compression_type is " + compressionType
              + " but the compression type incompatible feature bit is clear");
    }
    if (compressionType != COMPRESSION_DEFLATE && compressionType != COMPRESSION_ZSTD) {
      throw new UnsupportedImageException(
          file + ": unknown compression type " + compressionType + " (0 deflate and 1 zstd are defined)");
    }
    if (Integer.toUnsignedLong(refcountOrder) > MAX_REFCOUNT_ORDER) {
      throw new CorruptImageException("qcow2 header field refcount_order", 96,
          "value " + Integer.toUnsignedString(refcountOrder)
              + "; expected 0..6 (refcount entries of 1 to 64 bits)");
    }
    return new Header(version, backingFileOffset, backingFileSize, clusterBits, size,
        cryptMethod, l1Size, l1TableOffset, refcountTableOffset, refcountTableClusters,
        nbSnapshots, snapshotsOffset, incompatible, compatible, autoclear, refcountOrder,
        headerLength, compressionType, trailer);
  }

  /** The header's bytes, exactly {@link #extensionsStart()} long. */
  public byte[] toBytes() {
    int length = extensionsStart();
    ByteBuffer b = ByteBuffer.allocate(length);
    b.putInt(MAGIC).putInt(version).putLong(backingFileOffset).putInt(backingFileSize)
        .putInt(clusterBits).putLong(size).putInt(cryptMethod).putInt(l1Size)
        .putLong(l1TableOffset).putLong(refcountTableOffset).putInt(refcountTableClusters)
        .putInt(nbSnapshots).putLong(snapshotsOffset);
    if (version == 3) {
      b.putLong(incompatibleFeatures).putLong(compatibleFeatures).putLong(autoclearFeatures)
          .putInt(refcountOrder).putInt(headerLength);
      if (headerLength > V3_MIN_LENGTH) {
        b.put((byte) compressionType);
      }
      if (headerLength > V3_LENGTH) {
        b.put(V3_LENGTH, unknownTrailer);
      }
    }
    return b.array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && Arrays.equals(toBytes(), h.toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }

  @Override
  public byte[] unknownTrailer() {
    return unknownTrailer.clone();
  }
}
