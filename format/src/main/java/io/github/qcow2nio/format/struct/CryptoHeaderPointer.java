package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import java.nio.ByteBuffer;

/** Header extension 0x0537BE77: where the LUKS header lives in the image file. */
public record CryptoHeaderPointer(long offset, long length) {
  public static final int TYPE = 0x0537BE77;
  public static final int LENGTH = 16;

  static CryptoHeaderPointer parse(ByteBuffer d, long at, int clusterBits)
      throws CorruptImageException {
    String what = "full disk encryption header extension";
    if (d.remaining() != LENGTH) {
      throw new CorruptImageException(what, at,
          "length " + d.remaining() + "; expected " + LENGTH);
    }
    long off = d.getLong(d.position());
    long len = d.getLong(d.position() + 8);
    if ((off & ((1L << clusterBits) - 1)) != 0 || off < 0) {
      throw new CorruptImageException(what, at,
          "encryption header offset 0x" + Long.toHexString(off)
              + " is not a multiple of the cluster size");
    }
    return new CryptoHeaderPointer(off, len);
  }

  byte[] toBytes() {
    return ByteBuffer.allocate(LENGTH).putLong(offset).putLong(length).array();
  }
}
