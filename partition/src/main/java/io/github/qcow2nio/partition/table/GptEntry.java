package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A GPT partition entry's first 128 bytes (UEFI specification, "GPT Partition Entry"): type GUID,
 * unique GUID, first and last LBA, attributes and a name of 36 UTF-16LE code units.
 */
public record GptEntry(UUID typeGuid, UUID uniqueGuid, long firstLba, long lastLba,
    long attributes, String name) {
  public static final int SIZE = 128;
  static final int NAME_OFFSET = 56;
  static final int NAME_UNITS = 36;

  static GptEntry parse(ByteBuffer array, int off) {
    ByteBuffer b = array.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int units = 0;
    while (units < NAME_UNITS && b.getShort(off + NAME_OFFSET + 2 * units) != 0) {
      units++;
    }
    byte[] name = new byte[2 * units];
    b.get(off + NAME_OFFSET, name);
    return new GptEntry(Guids.get(b, off), Guids.get(b, off + 16), b.getLong(off + 32),
        b.getLong(off + 40), b.getLong(off + 48), new String(name, StandardCharsets.UTF_16LE));
  }

  void write(ByteBuffer array, int off) {
    ByteBuffer b = array.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    Guids.put(b, off, typeGuid);
    Guids.put(b, off + 16, uniqueGuid);
    b.putLong(off + 32, firstLba);
    b.putLong(off + 40, lastLba);
    b.putLong(off + 48, attributes);
    byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
    if (n.length > 2 * NAME_UNITS) {
      throw new IllegalArgumentException("a GPT name holds at most " + NAME_UNITS
          + " UTF-16 code units: " + name);
    }
    b.put(off + NAME_OFFSET, n);
  }

  boolean isEmpty() {
    return typeGuid.equals(Guids.ZERO);
  }
}
