package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import java.nio.ByteBuffer;

/** Header extension 0x23852875: where the persistent dirty bitmaps' directory is. */
public record BitmapsExtension(int nbBitmaps, long directorySize, long directoryOffset) {
  public static final int TYPE = 0x23852875;
  public static final int LENGTH = 24;
  public static final int MAX_BITMAPS = 65535;
  public static final long MAX_DIRECTORY_SIZE = 1024L * MAX_BITMAPS;

  /**
   * Parses the extension. Its fields are validated only when {@code consistent} (autoclear bit 0)
   * is set: without it QEMU considers every bitmap inconsistent and ignores the rest, so it opens
   * such an image whatever the fields hold; only the length is checked either way.
   */
  static BitmapsExtension parse(ByteBuffer d, long offset, int clusterBits, boolean consistent)
      throws CorruptImageException {
    String what = "bitmaps header extension";
    if (d.remaining() != LENGTH) {
      throw new CorruptImageException(what, offset,
          "length " + d.remaining() + "; expected " + LENGTH);
    }
    int p = d.position();
    int nb = d.getInt(p);
    int reserved = d.getInt(p + 4);
    long dirSize = d.getLong(p + 8);
    long dirOffset = d.getLong(p + 16);
    if (!consistent) {
      return new BitmapsExtension(nb, dirSize, dirOffset);
    }
    if (reserved != 0) {
      throw new CorruptImageException(what, offset, "reserved field is not zero");
    }
    if (nb == 0) {
      throw new CorruptImageException(what, offset, "zero bitmaps; expected at least one");
    }
    if (Integer.toUnsignedLong(nb) > MAX_BITMAPS) {
      throw new CorruptImageException(what, offset,
          Integer.toUnsignedString(nb) + " bitmaps; at most " + MAX_BITMAPS + " are supported");
    }
    if (Long.compareUnsigned(dirSize, MAX_DIRECTORY_SIZE) > 0 || dirSize == 0) {
      throw new CorruptImageException(what, offset,
          "bitmap directory size " + Long.toUnsignedString(dirSize) + "; expected 1.."
              + MAX_DIRECTORY_SIZE);
    }
    if (dirOffset == 0 || (dirOffset & ((1L << clusterBits) - 1)) != 0 || dirOffset < 0) {
      throw new CorruptImageException(what, offset,
          "bitmap directory offset 0x" + Long.toHexString(dirOffset)
              + " is not a nonzero multiple of the cluster size");
    }
    return new BitmapsExtension(nb, dirSize, dirOffset);
  }

  /** The extension's 24 data bytes. */
  public byte[] toBytes() {
    return ByteBuffer.allocate(LENGTH).putInt(nbBitmaps).putInt(0).putLong(directorySize)
        .putLong(directoryOffset).array();
  }
}
