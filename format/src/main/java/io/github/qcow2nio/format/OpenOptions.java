package io.github.qcow2nio.format;

import io.github.qcow2nio.format.struct.Qcow2Limits;

/**
 * How to open an image.
 *
 * @param writable open the image file read-write (backing files are always opened read-only)
 * @param maxBackingDepth the deepest backing chain accepted below this image
 * @param l2CacheBytes the L2 cache budget per layer; 0 picks QEMU's default (enough to map the
 *     whole disk, at most 32 MiB)
 * @param dataFile the external data file's name, overriding the one in the header; null to use
 *     the header's
 * @param openBacking false opens the image alone: unallocated clusters then read as zeros
 */
public record OpenOptions(
    boolean writable, int maxBackingDepth, long l2CacheBytes, String dataFile,
    boolean openBacking) {

  public static final long DEFAULT_MAX_L2_CACHE = 32L * 1024 * 1024;

  public OpenOptions {
    if (maxBackingDepth < 0) {
      throw new IllegalArgumentException("maxBackingDepth " + maxBackingDepth);
    }
    if (l2CacheBytes < 0) {
      throw new IllegalArgumentException("l2CacheBytes " + l2CacheBytes);
    }
  }

  public static OpenOptions readOnly() {
    return new OpenOptions(false, Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH, 0, null, true);
  }

  public static OpenOptions readWrite() {
    return new OpenOptions(true, Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH, 0, null, true);
  }

  public OpenOptions withWritable(boolean w) {
    return new OpenOptions(w, maxBackingDepth, l2CacheBytes, dataFile, openBacking);
  }

  public OpenOptions withMaxBackingDepth(int depth) {
    return new OpenOptions(writable, depth, l2CacheBytes, dataFile, openBacking);
  }

  public OpenOptions withL2CacheBytes(long bytes) {
    return new OpenOptions(writable, maxBackingDepth, bytes, dataFile, openBacking);
  }

  public OpenOptions withDataFile(String name) {
    return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, name, openBacking);
  }

  public OpenOptions withOpenBacking(boolean open) {
    return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, dataFile, open);
  }
}
