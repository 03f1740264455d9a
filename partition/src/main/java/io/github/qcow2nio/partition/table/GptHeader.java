package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * The 92-byte GPT header (UEFI specification, "GPT Header"). Its CRC32 covers {@code headerSize}
 * bytes with the CRC field zeroed; {@link #parse} reports whether it matched rather than failing,
 * because a damaged primary is a reason to read the backup, not to give up.
 */
public record GptHeader(long revision, int headerSize, long headerCrc, boolean crcValid,
    long myLba, long alternateLba, long firstUsableLba, long lastUsableLba, UUID diskGuid,
    long entriesLba, long entryCount, long entrySize, long entriesCrc, long reserved) {

  static final byte[] SIGNATURE = "EFI PART".getBytes(StandardCharsets.US_ASCII);
  static final long REVISION_1_0 = 0x00010000L;
  static final int SIZE = 92;

  /** True when the sector starts with "EFI PART". */
  static boolean signed(ByteBuffer sector) {
    if (sector.remaining() < SIZE) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (sector.get(i) != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** Parses a header from a whole logical sector; the caller has checked the signature. */
  static GptHeader parse(ByteBuffer sector) {
    ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int headerSize = b.getInt(12);
    long stored = b.getInt(16) & 0xFFFFFFFFL;
    boolean crcValid = false;
    if (headerSize >= SIZE && headerSize <= b.capacity()) {
      byte[] copy = new byte[headerSize];
      b.get(0, copy);
      copy[16] = copy[17] = copy[18] = copy[19] = 0;
      CRC32 crc = new CRC32();
      crc.update(copy);
      crcValid = crc.getValue() == stored;
    }
    return new GptHeader(b.getInt(8) & 0xFFFFFFFFL, headerSize, stored, crcValid,
        b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48), Guids.get(b, 56),
        b.getLong(72), b.getInt(80) & 0xFFFFFFFFL, b.getInt(84) & 0xFFFFFFFFL,
        b.getInt(88) & 0xFFFFFFFFL, b.getInt(20) & 0xFFFFFFFFL);
  }

  /** A whole sector holding this header with its CRC32 computed; the rest of the sector zero. */
  ByteBuffer serialize(int sectorSize) {
    ByteBuffer b = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, SIGNATURE);
    b.putInt(8, (int) revision);
    b.putInt(12, SIZE);
    b.putInt(20, 0);
    b.putLong(24, myLba);
    b.putLong(32, alternateLba);
    b.putLong(40, firstUsableLba);
    b.putLong(48, lastUsableLba);
    Guids.put(b, 56, diskGuid);
    b.putLong(72, entriesLba);
    b.putInt(80, (int) entryCount);
    b.putInt(84, (int) entrySize);
    b.putInt(88, (int) entriesCrc);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, SIZE);
    b.putInt(16, (int) crc.getValue());
    return b;
  }

  /** A header at {@code myLba} describing the same table as this one. */
  GptHeader relocated(long newMyLba, long newAlternateLba, long newEntriesLba) {
    return new GptHeader(revision, SIZE, 0, true, newMyLba, newAlternateLba, firstUsableLba,
        lastUsableLba, diskGuid, newEntriesLba, entryCount, entrySize, entriesCrc, 0);
  }
}
