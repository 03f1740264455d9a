package io.github.qcow2nio.fat.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * FAT32's FSInfo sector: a hint of the free-cluster count and of where to look for a free one.
 * Both are only hints (0xFFFFFFFF is "unknown"), but fsck.fat reports a wrong count, so a
 * writer keeps them right.
 */
public record FsInfo(long freeCount, long nextFree) {
  public static final long UNKNOWN = 0xFFFFFFFFL;
  private static final int LEAD = 0x41615252;
  private static final int STRUCT = 0x61417272;
  private static final int TRAIL = 0xAA550000;

  /** The sector's hints, or unknown ones when its signatures are missing. */
  public static FsInfo parse(ByteBuffer b) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (s.getInt(0) != LEAD || s.getInt(484) != STRUCT || s.getInt(508) != TRAIL) {
      return new FsInfo(UNKNOWN, UNKNOWN);
    }
    return new FsInfo(s.getInt(488) & 0xffffffffL, s.getInt(492) & 0xffffffffL);
  }

  public static boolean isValid(ByteBuffer b) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return s.getInt(0) == LEAD && s.getInt(484) == STRUCT && s.getInt(508) == TRAIL;
  }

  /** A whole sector of {@code bytesPerSector} bytes. */
  public ByteBuffer serialize(int bytesPerSector) {
    ByteBuffer s = ByteBuffer.allocate(bytesPerSector).order(ByteOrder.LITTLE_ENDIAN);
    s.putInt(0, LEAD);
    s.putInt(484, STRUCT);
    s.putInt(488, (int) freeCount);
    s.putInt(492, (int) nextFree);
    s.putInt(508, TRAIL);
    if (bytesPerSector > 512) {
      s.put(bytesPerSector - 2, (byte) 0x55).put(bytesPerSector - 1, (byte) 0xAA);
    }
    return s;
  }
}
