package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * GUIDs as UEFI stores them: the first three fields little-endian, the last eight bytes in order.
 */
public final class Guids {
  public static final UUID ZERO = new UUID(0, 0);

  private Guids() {}

  static UUID get(ByteBuffer b, int off) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long d1 = le.getInt(off) & 0xFFFFFFFFL;
    long d2 = le.getShort(off + 4) & 0xFFFFL;
    long d3 = le.getShort(off + 6) & 0xFFFFL;
    long lsb = b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(off + 8);
    return new UUID((d1 << 32) | (d2 << 16) | d3, lsb);
  }

  static void put(ByteBuffer b, int off, UUID g) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long msb = g.getMostSignificantBits();
    le.putInt(off, (int) (msb >>> 32));
    le.putShort(off + 4, (short) (msb >>> 16));
    le.putShort(off + 6, (short) msb);
    b.duplicate().order(ByteOrder.BIG_ENDIAN).putLong(off + 8, g.getLeastSignificantBits());
  }
}
