package io.github.qcow2nio.format.struct;

/**
 * Collects a header's fields, each setter named after the field it sets; made by {@link
 * Header#builder()} and {@link Header#toBuilder()}. Not thread-safe; the header it builds is
 * immutable. Like the constructor it checks nothing: {@link Header#parse} is where a header's
 * bytes are judged.
 */
public final class HeaderBuilder {
  private int version = 3;
  private long backingFileOffset;
  private int backingFileSize;
  private int clusterBits = 16;
  private long size;
  private int cryptMethod = Header.CRYPT_NONE;
  private int l1Size;
  private long l1TableOffset;
  private long refcountTableOffset;
  private int refcountTableClusters;
  private int nbSnapshots;
  private long snapshotsOffset;
  private long incompatibleFeatures;
  private long compatibleFeatures;
  private long autoclearFeatures;
  private int refcountOrder = 4;
  private int headerLength = Header.V3_LENGTH;
  private int compressionType = Header.COMPRESSION_DEFLATE;
  private byte[] unknownTrailer = new byte[0];

  HeaderBuilder() {}

  /** 2 or 3; set {@link #headerLength} with it (72 for version 2). */
  public HeaderBuilder version(int value) {
    version = value;
    return this;
  }

  /** Where the backing file's name starts in cluster 0; 0 without a backing file. */
  public HeaderBuilder backingFileOffset(long value) {
    backingFileOffset = value;
    return this;
  }

  public HeaderBuilder backingFileSize(int value) {
    backingFileSize = value;
    return this;
  }

  public HeaderBuilder clusterBits(int value) {
    clusterBits = value;
    return this;
  }

  public HeaderBuilder size(long value) {
    size = value;
    return this;
  }

  /** {@link Header#CRYPT_NONE}, {@link Header#CRYPT_AES} or {@link Header#CRYPT_LUKS}. */
  public HeaderBuilder cryptMethod(int value) {
    cryptMethod = value;
    return this;
  }

  public HeaderBuilder l1Size(int value) {
    l1Size = value;
    return this;
  }

  public HeaderBuilder l1TableOffset(long value) {
    l1TableOffset = value;
    return this;
  }

  public HeaderBuilder refcountTableOffset(long value) {
    refcountTableOffset = value;
    return this;
  }

  public HeaderBuilder refcountTableClusters(int value) {
    refcountTableClusters = value;
    return this;
  }

  public HeaderBuilder nbSnapshots(int value) {
    nbSnapshots = value;
    return this;
  }

  public HeaderBuilder snapshotsOffset(long value) {
    snapshotsOffset = value;
    return this;
  }

  /** Feature bits ({@link Features}), as the other two words: written for version 3 only. */
  public HeaderBuilder incompatibleFeatures(long value) {
    incompatibleFeatures = value;
    return this;
  }

  public HeaderBuilder compatibleFeatures(long value) {
    compatibleFeatures = value;
    return this;
  }

  public HeaderBuilder autoclearFeatures(long value) {
    autoclearFeatures = value;
    return this;
  }

  public HeaderBuilder refcountOrder(int value) {
    refcountOrder = value;
    return this;
  }

  public HeaderBuilder headerLength(int value) {
    headerLength = value;
    return this;
  }

  /** {@link Header#COMPRESSION_DEFLATE} or {@link Header#COMPRESSION_ZSTD}. */
  public HeaderBuilder compressionType(int value) {
    compressionType = value;
    return this;
  }

  /** Header bytes from 112 to header_length, kept as they are; null for none. */
  public HeaderBuilder unknownTrailer(byte[] value) {
    unknownTrailer = value == null ? new byte[0] : value.clone();
    return this;
  }

  public Header build() {
    return new Header(version, backingFileOffset, backingFileSize, clusterBits, size,
        cryptMethod, l1Size, l1TableOffset, refcountTableOffset, refcountTableClusters,
        nbSnapshots, snapshotsOffset, incompatibleFeatures, compatibleFeatures,
        autoclearFeatures, refcountOrder, headerLength, compressionType, unknownTrailer);
  }
}
