package io.github.qcow2nio.fat.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 32-byte directory entry in its 8.3 form: a file, a directory, or the volume label.
 *
 * @param name the 11 name bytes as stored (0x05 in the first byte stands for 0xE5)
 * @param caseFlags the NT byte: 0x08 base in lower case, 0x10 extension in lower case
 */
public record ShortEntry(byte[] name, int attributes, int caseFlags, int createTenMs,
    int createTime, int createDate, int accessDate, long firstCluster, int writeTime,
    int writeDate, long size) {

  public static final int SIZE = 32;
  public static final int READ_ONLY = 0x01;
  public static final int HIDDEN = 0x02;
  public static final int SYSTEM = 0x04;
  public static final int VOLUME_ID = 0x08;
  public static final int DIRECTORY = 0x10;
  public static final int ARCHIVE = 0x20;
  public static final int LONG_NAME = 0x0F;
  public static final int LOWER_BASE = 0x08;
  public static final int LOWER_EXT = 0x10;

  public static ShortEntry parse(ByteBuffer b, int off) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[] name = new byte[11];
    s.get(off, name);
    long cluster = (s.getShort(off + 26) & 0xffffL) | (s.getShort(off + 20) & 0xffffL) << 16;
    return new ShortEntry(name, s.get(off + 11) & 0xff, s.get(off + 12) & 0xff,
        s.get(off + 13) & 0xff, s.getShort(off + 14) & 0xffff, s.getShort(off + 16) & 0xffff,
        s.getShort(off + 18) & 0xffff, cluster, s.getShort(off + 22) & 0xffff,
        s.getShort(off + 24) & 0xffff, s.getInt(off + 28) & 0xffffffffL);
  }

  public void serialize(ByteBuffer b, int off) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    s.put(off, name);
    s.put(off + 11, (byte) attributes);
    s.put(off + 12, (byte) caseFlags);
    s.put(off + 13, (byte) createTenMs);
    s.putShort(off + 14, (short) createTime);
    s.putShort(off + 16, (short) createDate);
    s.putShort(off + 18, (short) accessDate);
    s.putShort(off + 20, (short) (firstCluster >>> 16));
    s.putShort(off + 22, (short) writeTime);
    s.putShort(off + 24, (short) writeDate);
    s.putShort(off + 26, (short) firstCluster);
    s.putInt(off + 28, (int) size);
  }

  public boolean isDirectory() {
    return (attributes & DIRECTORY) != 0;
  }

  public boolean isVolumeLabel() {
    return (attributes & (VOLUME_ID | DIRECTORY)) == VOLUME_ID && attributes != LONG_NAME;
  }

  public boolean isDotEntry() {
    return name[0] == '.';
  }

  public ShortEntry withCluster(long cluster) {
    return new ShortEntry(name, attributes, caseFlags, createTenMs, createTime, createDate,
        accessDate, cluster, writeTime, writeDate, size);
  }

  public ShortEntry withSize(long newSize) {
    return new ShortEntry(name, attributes, caseFlags, createTenMs, createTime, createDate,
        accessDate, firstCluster, writeTime, writeDate, newSize);
  }

  public ShortEntry withAttributes(int attrs) {
    return new ShortEntry(name, attrs, caseFlags, createTenMs, createTime, createDate,
        accessDate, firstCluster, writeTime, writeDate, size);
  }

  public ShortEntry withName(byte[] newName, int newCaseFlags) {
    return new ShortEntry(newName, attributes, newCaseFlags, createTenMs, createTime, createDate,
        accessDate, firstCluster, writeTime, writeDate, size);
  }

  public ShortEntry withWritten(int date, int time) {
    return new ShortEntry(name, attributes, caseFlags, createTenMs, createTime, createDate,
        accessDate, firstCluster, time, date, size);
  }

  public ShortEntry withAccessed(int date) {
    return new ShortEntry(name, attributes, caseFlags, createTenMs, createTime, createDate,
        date, firstCluster, writeTime, writeDate, size);
  }

  public ShortEntry withCreated(int date, int time, int tenMs) {
    return new ShortEntry(name, attributes, caseFlags, tenMs, time, date, accessDate,
        firstCluster, writeTime, writeDate, size);
  }
}
