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
    Preallocation preallocation) {

  /** The preallocation modes of {@code qemu-img create -o preallocation=}. */
  public enum Preallocation {
    OFF, METADATA, FALLOC, FULL
  }

  /** qemu-img's defaults for a disk of {@code size} bytes. */
  public static CreateOptions defaults(long size) {
    return new CreateOptions(size, 65536, 3, 16, false, 0, false, null, null, null, false,
        Preallocation.OFF);
  }

  public CreateOptions withClusterSize(int v) {
    return new CreateOptions(size, v, version, refcountBits, extendedL2, compressionType,
        lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withVersion(int v) {
    return new CreateOptions(size, clusterSize, v, refcountBits, extendedL2, compressionType,
        lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withRefcountBits(int v) {
    return new CreateOptions(size, clusterSize, version, v, extendedL2, compressionType,
        lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withExtendedL2(boolean v) {
    return new CreateOptions(size, clusterSize, version, refcountBits, v, compressionType,
        lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withCompressionType(int v) {
    return new CreateOptions(size, clusterSize, version, refcountBits, extendedL2, v,
        lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withLazyRefcounts(boolean v) {
    return new CreateOptions(size, clusterSize, version, refcountBits, extendedL2,
        compressionType, v, backingFile, backingFormat, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withBacking(String file, String format) {
    return new CreateOptions(size, clusterSize, version, refcountBits, extendedL2,
        compressionType, lazyRefcounts, file, format, dataFile, dataFileRaw, preallocation);
  }

  public CreateOptions withDataFile(String file, boolean raw) {
    return new CreateOptions(size, clusterSize, version, refcountBits, extendedL2,
        compressionType, lazyRefcounts, backingFile, backingFormat, file, raw, preallocation);
  }

  public CreateOptions withPreallocation(Preallocation v) {
    return new CreateOptions(size, clusterSize, version, refcountBits, extendedL2,
        compressionType, lazyRefcounts, backingFile, backingFormat, dataFile, dataFileRaw, v);
  }
}
