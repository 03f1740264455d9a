package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One 16-byte MBR or EBR partition entry: boot indicator, CHS start, type, CHS end, first LBA and
 * sector count. CHS values are written for old tools but never read: LBA is the truth.
 */
public record MbrEntry(int bootIndicator, int type, long firstLba, long sectors) {
  public static final int SIZE = 16;
  static final int EMPTY = 0x00;
  static final int PROTECTIVE = 0xEE;

  static MbrEntry parse(ByteBuffer sector, int off) {
    ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return new MbrEntry(b.get(off) & 0xFF, b.get(off + 4) & 0xFF,
        b.getInt(off + 8) & 0xFFFFFFFFL, b.getInt(off + 12) & 0xFFFFFFFFL);
  }

  /**
   * Writes the entry at {@code off}, with CHS from the 255-head, 63-sector geometry. CHS values
   * are absolute even in an EBR, whose LBAs are relative to {@code base}.
   */
  void write(ByteBuffer sector, int off, long base) {
    ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (isEmpty()) {
      return;
    }
    b.put(off, (byte) bootIndicator);
    Chs.put(b, off + 1, base + firstLba);
    b.put(off + 4, (byte) type);
    Chs.put(b, off + 5, base + firstLba + sectors - 1);
    b.putInt(off + 8, (int) firstLba);
    b.putInt(off + 12, (int) sectors);
  }

  boolean isEmpty() {
    return type == EMPTY;
  }

  /** DOS (0x05), LBA (0x0F) and Linux (0x85) extended partitions hold an EBR chain. */
  boolean isExtended() {
    return type == 0x05 || type == 0x0F || type == 0x85;
  }

  /** The last sector (inclusive). */
  long lastLba() {
    return firstLba + sectors - 1;
  }
}
