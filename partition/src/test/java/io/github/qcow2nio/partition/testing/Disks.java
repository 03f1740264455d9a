package io.github.qcow2nio.partition.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * Byte-level surgery on disk images for hostile-input tests: little-endian fields and GPT CRCs
 * recomputed from the raw layout (UEFI offsets), independently of the code under test.
 */
public final class Disks {
  private Disks() {}

  public static ByteBuffer le(byte[] disk) {
    return ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Recomputes the entry-array CRC and then the header CRC of the GPT header at {@code lba}. */
  public static void fixGptCrcs(byte[] disk, int ss, long lba) {
    ByteBuffer b = le(disk);
    int h = (int) (lba * ss);
    long entriesLba = b.getLong(h + 72);
    long count = b.getInt(h + 80) & 0xFFFFFFFFL;
    long size = b.getInt(h + 84) & 0xFFFFFFFFL;
    long arrayBytes = count * size;
    if (arrayBytes > 0 && entriesLba >= 0 && entriesLba < disk.length / ss
        && entriesLba * ss + arrayBytes <= disk.length) {
      CRC32 a = new CRC32();
      a.update(disk, (int) (entriesLba * ss), (int) arrayBytes);
      b.putInt(h + 88, (int) a.getValue());
    }
    fixGptHeaderCrc(disk, ss, lba);
  }

  /** Recomputes the CRC of the header at {@code lba}, if its size field leaves one to compute. */
  public static void fixGptHeaderCrc(byte[] disk, int ss, long lba) {
    ByteBuffer b = le(disk);
    int h = (int) (lba * ss);
    int size = b.getInt(h + 12);
    if (size < 20 || size > ss) {
      return;
    }
    b.putInt(h + 16, 0);
    CRC32 c = new CRC32();
    c.update(disk, h, b.getInt(h + 12));
    b.putInt(h + 16, (int) c.getValue());
  }

  /** True when the header at {@code lba} and its entry array carry the CRCs they should. */
  public static boolean gptCrcsValid(byte[] disk, int ss, long lba) {
    ByteBuffer b = le(disk);
    int h = (int) (lba * ss);
    byte[] header = new byte[b.getInt(h + 12)];
    System.arraycopy(disk, h, header, 0, header.length);
    long stored = b.getInt(h + 16) & 0xFFFFFFFFL;
    header[16] = header[17] = header[18] = header[19] = 0;
    CRC32 c = new CRC32();
    c.update(header);
    long entriesLba = b.getLong(h + 72);
    int arrayBytes = b.getInt(h + 80) * b.getInt(h + 84);
    CRC32 a = new CRC32();
    a.update(disk, (int) (entriesLba * ss), arrayBytes);
    return c.getValue() == stored && a.getValue() == (b.getInt(h + 88) & 0xFFFFFFFFL);
  }
}
