package io.github.qcow2nio.format;

/**
 * What {@code qemu-img create -f qcow2 -o ...} takes, with the same defaults: version 3, 64 KiB
 * clusters, 16-bit refcounts, zlib (raw deflate) compression, no preallocation.
 *
 * @param size the virtual size in bytes (rounded up to a multiple of 512, as qemu-img does)
 * @param version 2 for {@code compat=0.10}, 3 for {@code compat=1.1}
 * @param compressionType 0 deflate ("zlib"), 1 zstd
 * @param backingFile the backing file's name as the header will record it, or null
 * @param backingFormat "qcow2" or "raw", or null
 * @param dataFile the external data file's name, or null
 * @param encryption {@code encrypt.*}: a LUKS-encrypted image, or null for none
 */
public record CreateOptions(
    long size,
    int clusterSize,
    int version,
    int refcountBits,
    boolean extendedL2,
    int compressionType,
    boolean lazyRefcounts,
    String backingFile,
    String backingFormat,
    String dataFile,
    boolean dataFileRaw,
    Preallocation preallocation,
    EncryptionOptions encryption) {

  /** The options of an image that is not encrypted (the constructor before encryption). */
  public CreateOptions(long size, int clusterSize, int version, int refcountBits,
      boolean extendedL2, int compressionType, boolean lazyRefcounts, String backingFile,
      String backingFormat, String dataFile, boolean dataFileRaw, Preallocation preallocation) {
    this(size, clusterSize, version, refcountBits, extendedL2, compressionType, lazyRefcounts,
        backingFile, backingFormat, dataFile, dataFileRaw, preallocation, null);
  }

  /** The preallocation modes of {@code qemu-img create -o preallocation=}. */
  public enum Preallocation {
    OFF, METADATA, FALLOC, FULL
  }

  /** qemu-img's defaults for a disk of {@code size} bytes. */
  public static CreateOptions defaults(long size) {
    return builder(size).build();
  }

  /**
   * A builder starting from qemu-img's defaults for a disk of {@code size} bytes (negative: the
   * backing file's size). Options vary through a builder, one setter per option, so that a call
   * names what it changes and nothing else.
   */
  public static Builder builder(long size) {
    return new Builder(size);
  }

  /** A builder holding these options, to change some and keep the rest. */
  public Builder toBuilder() {
    return new Builder(size).clusterSize(clusterSize).version(version).refcountBits(refcountBits)
        .extendedL2(extendedL2).compressionType(compressionType).lazyRefcounts(lazyRefcounts)
        .backingFile(backingFile).backingFormat(backingFormat).dataFile(dataFile)
        .dataFileRaw(dataFileRaw).preallocation(preallocation).encryption(encryption);
  }

  /**
   * Collects the options, each setter named after the option it sets. Like the record it checks
   * nothing: {@code Qcow2Image.create} judges the options as qemu-img does, with its messages.
   */
  public static final class Builder {
    private long size;
    private int clusterSize = 65536;
    private int version = 3;
    private int refcountBits = 16;
    private boolean extendedL2;
    private int compressionType;
    private boolean lazyRefcounts;
    private String backingFile;
    private String backingFormat;
    private String dataFile;
    private boolean dataFileRaw;
    private Preallocation preallocation = Preallocation.OFF;
    private EncryptionOptions encryption;

    private Builder(long size) {
      this.size = size;
    }

    /** The virtual size in bytes; negative takes the backing file's. */
    public Builder size(long value) {
      size = value;
      return this;
    }

    /** {@code cluster_size}: a power of two, 512 to 2 MiB. */
    public Builder clusterSize(int value) {
      clusterSize = value;
      return this;
    }

    /** 2 for {@code compat=0.10}, 3 for {@code compat=1.1}. */
    public Builder version(int value) {
      version = value;
      return this;
    }

    /** {@code refcount_bits}: 1, 2, 4, ..., 64. */
    public Builder refcountBits(int value) {
      refcountBits = value;
      return this;
    }

    /** {@code extended_l2}: subclusters (version 3). */
    public Builder extendedL2(boolean value) {
      extendedL2 = value;
      return this;
    }

    /** {@code compression_type}: 0 deflate ("zlib"), 1 zstd. */
    public Builder compressionType(int value) {
      compressionType = value;
      return this;
    }

    /** {@code lazy_refcounts} (version 3). */
    public Builder lazyRefcounts(boolean value) {
      lazyRefcounts = value;
      return this;
    }

    /** The backing file's name as the header will record it, or null for none. */
    public Builder backingFile(String value) {
      backingFile = value;
      return this;
    }

    /** "qcow2" or "raw", or null. */
    public Builder backingFormat(String value) {
      backingFormat = value;
      return this;
    }

    /** The external data file's name, or null for none. */
    public Builder dataFile(String value) {
      dataFile = value;
      return this;
    }

    /** {@code data_file_raw}: the data file is a raw image of the disk. */
    public Builder dataFileRaw(boolean value) {
      dataFileRaw = value;
      return this;
    }

    public Builder preallocation(Preallocation value) {
      preallocation = value;
      return this;
    }

    /** {@code encrypt.format=luks} and the other {@code encrypt.*} options; null for none. */
    public Builder encryption(EncryptionOptions value) {
      encryption = value;
      return this;
    }

    public CreateOptions build() {
      return new CreateOptions(size, clusterSize, version, refcountBits, extendedL2,
          compressionType, lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw,
          preallocation, encryption);
    }
  }
}
