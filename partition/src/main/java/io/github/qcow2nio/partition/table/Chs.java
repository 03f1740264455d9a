package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;

/**
 * Cylinder-head-sector addresses in the geometry sfdisk and sgdisk assume for image files: 255
 * heads, 63 sectors a track; past cylinder 1023 the address is the maximum (254, 63, 1023).
 */
final class Chs {
  private static final int HEADS = 255;
  private static final int SECTORS = 63;

  private Chs() {}

  /** True when {@code lba} has a CHS address of its own (cylinder 1023 or below). */
  static boolean reaches(long lba) {
    return lba / (HEADS * SECTORS) <= 1023;
  }

  static void put(ByteBuffer b, int off, long lba) {
    long cylinder = lba / (HEADS * SECTORS);
    int head;
    int sector;
    if (cylinder > 1023) {
      cylinder = 1023;
      head = 254;
      sector = 63;
    } else {
      long rest = lba % (HEADS * SECTORS);
      head = (int) (rest / SECTORS);
      sector = (int) (rest % SECTORS) + 1;
    }
    b.put(off, (byte) head);
    b.put(off + 1, (byte) (sector | ((cylinder >> 8) << 6)));
    b.put(off + 2, (byte) cylinder);
  }
}
