package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One persistent dirty bitmap's entry in the bitmap directory. */
public record BitmapDirectoryEntry(
    long tableOffset, int tableSize, int flags, int type, int granularityBits, String name) {

  public static final int FLAG_IN_USE = 1;
  public static final int FLAG_AUTO = 2;
  public static final int FIXED_SIZE = 24;
  public static final int MAX_NAME = 1023;
  public static final long MAX_TABLE_ENTRIES = 1L << 27;
  /**
   * The bitmap data one bitmap's table may address (QEMU's limit): with small clusters it is the
   * bound on the table that binds, 1 Mi entries at 512 bytes, far below {@link
   * #MAX_TABLE_ENTRIES}.
   */
  public static final long MAX_BITMAP_BYTES = 512L << 20;

  public boolean inUse() {
    return (flags & FLAG_IN_USE) != 0;
  }

  public boolean auto() {
    return (flags & FLAG_AUTO) != 0;
  }

  public long granularity() {
    return 1L << granularityBits;
  }

  /** The entry's size in the directory: fixed part and name, padded to 8 bytes. */
  public int length() {
    return (FIXED_SIZE + name.getBytes(StandardCharsets.UTF_8).length + 7) & ~7;
  }

  /** The entry as the directory stores it (no extra data), padded with zeros to 8 bytes. */
  public byte[] toBytes() {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(length());
    b.putLong(tableOffset).putInt(tableSize).putInt(flags).put((byte) type)
        .put((byte) granularityBits).putShort((short) n.length).putInt(0).put(n);
    return b.array();
  }

  /** Reads and validates the whole directory, as QEMU does when it loads bitmaps. */
  public static List<BitmapDirectoryEntry> readDirectory(StructSource source, Header h,
      BitmapsExtension ext) throws IOException {
    ByteBuffer dir = source.read("bitmap directory", ext.directoryOffset(),
        (int) ext.directorySize());
    List<BitmapDirectoryEntry> list = new ArrayList<>();
    int p = 0;
    int size = dir.limit();
    while (p < size) {
      long at = ext.directoryOffset() + p;
      String what = "bitmap directory entry " + list.size();
      if (list.size() >= ext.nbBitmaps()) {
        throw new CorruptImageException(what, at,
            "more bitmaps found than the " + ext.nbBitmaps() + " the header extension names");
      }
      if (size - p < FIXED_SIZE) {
        throw new CorruptImageException(what, at, "broken bitmap directory: entry is truncated");
      }
      long tableOffset = dir.getLong(p);
      int tableSize = dir.getInt(p + 8);
      int flags = dir.getInt(p + 12);
      int type = dir.get(p + 16) & 0xFF;
      int gran = dir.get(p + 17) & 0xFF;
      int nameSize = dir.getShort(p + 18) & 0xFFFF;
      long extra = Integer.toUnsignedLong(dir.getInt(p + 20));
      long len = (FIXED_SIZE + extra + nameSize + 7) & ~7L;
      if (len > size - p) {
        throw new CorruptImageException(what, at, "broken bitmap directory: entry of " + len
            + " bytes runs past the directory's end");
      }
      byte[] name = new byte[nameSize];
      dir.get(p + FIXED_SIZE + (int) extra, name);
      String n = new String(name, StandardCharsets.UTF_8);
      String problem = null;
      if (extra != 0) {
        problem = "bitmap extra data is not supported";
      } else if ((flags & ~(FLAG_IN_USE | FLAG_AUTO)) != 0) {
        problem = "reserved flag bits 0x" + Integer.toHexString(flags) + " set";
      } else if (type != 1) {
        problem = "type " + type + "; expected 1 (dirty tracking)";
      } else if (tableSize == 0 || Integer.toUnsignedLong(tableSize) > MAX_TABLE_ENTRIES) {
        problem = "bitmap table size " + Integer.toUnsignedString(tableSize)
            + "; expected 1.." + MAX_TABLE_ENTRIES;
      } else if (Integer.toUnsignedLong(tableSize) * h.clusterSize() > MAX_BITMAP_BYTES) {
        problem = "bitmap table of " + Integer.toUnsignedString(tableSize) + " entries addresses "
            + "more than 512 MiB of bitmap data (" + (MAX_BITMAP_BYTES / h.clusterSize())
            + " entries with " + h.clusterSize() + "-byte clusters)";
      } else if (tableOffset <= 0 || (tableOffset & (h.clusterSize() - 1L)) != 0) {
        problem = "bitmap table offset 0x" + Long.toHexString(tableOffset)
            + " is not a nonzero multiple of the cluster size";
      } else if (gran < 9 || gran > 31) {
        problem = "granularity bits " + gran + "; expected 9..31";
      } else if (nameSize == 0 || nameSize > MAX_NAME) {
        problem = "name length " + nameSize + "; expected 1.." + MAX_NAME;
      }
      if (problem != null) {
        throw new CorruptImageException(what, at, "bitmap '" + n + "': " + problem);
      }
      list.add(new BitmapDirectoryEntry(tableOffset, tableSize, flags, type, gran, n));
      p += (int) len;
    }
    if (list.size() != ext.nbBitmaps()) {
      throw new CorruptImageException("bitmap directory", ext.directoryOffset(),
          "less bitmaps found (" + list.size() + ") than the header extension names ("
              + ext.nbBitmaps() + ")");
    }
    return list;
  }
}
