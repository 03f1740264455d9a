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
 * @param locking take QEMU's image locks on the image, its backing files and its data file, and
 *     refuse to open what another program (or another open in this JVM) holds in conflict; files
 *     outside the default file system are never locked (see format/LOCKING.md)
 * @param forceShare as {@code qemu-img -U}: refuse no permission to others, so that an image a VM
 *     holds can be read; only for read-only opens
 */
public record OpenOptions(
    boolean writable, int maxBackingDepth, long l2CacheBytes, String dataFile,
    boolean openBacking, boolean locking, boolean forceShare) {

  public static final long DEFAULT_MAX_L2_CACHE = 32L * 1024 * 1024;

  public OpenOptions {
    if (maxBackingDepth < 0) {
      throw new IllegalArgumentException("maxBackingDepth " + maxBackingDepth);
    }
    if (l2CacheBytes < 0) {
      throw new IllegalArgumentException("l2CacheBytes " + l2CacheBytes);
    }
    if (forceShare && writable) {
      // QEMU's own words for the same request.
      throw new IllegalArgumentException(
          "force-share=on can only be used with read-only images");
    }
  }

  public static OpenOptions readOnly() {
    return new OpenOptions(false, Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH, 0, null, true, true,
        false);
  }

  public static OpenOptions readWrite() {
    return new OpenOptions(true, Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH, 0, null, true, true,
        false);
  }

  public OpenOptions withWritable(boolean w) {
    return new OpenOptions(w, maxBackingDepth, l2CacheBytes, dataFile, openBacking, locking,
        forceShare);
  }

  public OpenOptions withMaxBackingDepth(int depth) {
    return new OpenOptions(writable, depth, l2CacheBytes, dataFile, openBacking, locking,
        forceShare);
  }

  public OpenOptions withL2CacheBytes(long bytes) {
    return new OpenOptions(writable, maxBackingDepth, bytes, dataFile, openBacking, locking,
        forceShare);
  }

  public OpenOptions withDataFile(String name) {
    return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, name, openBacking, locking,
        forceShare);
  }

  public OpenOptions withOpenBacking(boolean open) {
    return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, dataFile, open, locking,
        forceShare);
  }

  public OpenOptions withLocking(boolean lock) {
    return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, dataFile, openBacking, lock,
        forceShare);
  }

  public OpenOptions withForceShare(boolean share) {
    return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, dataFile, openBacking, locking,
        share);
  }
}
