package io.github.qcow2nio.format.struct;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One internal snapshot's entry in the snapshot table.
 *
 * @param vmStateSize VM state bytes (the 64-bit extra-data field when present)
 * @param diskSize the snapshot's virtual disk size, or -1 when the entry does not record it
 * @param icount the record/replay instruction count, -1 when disabled or absent
 * @param extraData the whole extra-data area, kept verbatim (unknown fields included)
 */
public record SnapshotEntry(
    long l1TableOffset,
    int l1Size,
    String id,
    String name,
    long dateSeconds,
    long dateNanos,
    long vmClockNanos,
    long vmStateSize,
    long diskSize,
    long icount,
    byte[] extraData) {

  public static final int FIXED_SIZE = 40;
  public static final int MAX_EXTRA_DATA = 1024;

  public SnapshotEntry {
    extraData = extraData.clone();
  }

  @Override
  public byte[] extraData() {
    return extraData.clone();
  }

  /** The entry's length on disk, padded to a multiple of 8. */
  public int length() {
    int raw = FIXED_SIZE + extraData.length + utf8(id).length + utf8(name).length;
    return (raw + 7) & ~7;
  }

  /** Serializes the entry; QEMU's layout with at least 24 bytes of extra data on v3. */
  public byte[] toBytes() {
    byte[] idBytes = utf8(id);
    byte[] nameBytes = utf8(name);
    ByteBuffer b = ByteBuffer.allocate(length());
    b.putLong(l1TableOffset).putInt(l1Size).putShort((short) idBytes.length)
        .putShort((short) nameBytes.length).putInt((int) dateSeconds).putInt((int) dateNanos)
        .putLong(vmClockNanos)
        .putInt(vmStateSize > 0xFFFFFFFFL ? 0 : (int) vmStateSize)
        .putInt(extraData.length).put(extraData).put(idBytes).put(nameBytes);
    return b.array();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
