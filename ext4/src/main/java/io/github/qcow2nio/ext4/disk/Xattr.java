package io.github.qcow2nio.ext4.disk;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One extended attribute: its full name ("user.x", "system.data"...) and its value, held inline
 * or, with ea_inode, in the data of inode {@link #valueInode} ({@link #value} is then null).
 */
public record Xattr(String name, byte[] value, long valueInode, long valueSize) {
  public static final int MAGIC = 0xEA020000;
  public static final int BLOCK_HEADER = 32;
  private static final int ENTRY = 16;
  private static final String[] PREFIXES = {"", "user.", "system.posix_acl_access",
      "system.posix_acl_default", "trusted.", "", "security.", "system.", "system.richacl"};

  /**
   * The attributes in the area that follows an inode's {@code i_extra_isize}: a magic number, then
   * entries whose values are placed relative to the first entry. An area without the magic holds
   * none.
   */
  public static void parseInInode(byte[] area, long inode, List<Xattr> out)
      throws Ext4CorruptException {
    ByteBuffer b = ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN);
    if (area.length < 4 || b.getInt(0) != MAGIC) {
      return;
    }
    parseEntries(b.slice(4, area.length - 4).order(ByteOrder.LITTLE_ENDIAN), 0,
        "in-inode extended attributes of inode " + inode, -1, out);
  }

  /** The attributes of an extended-attribute block, its values placed relative to the block. */
  public static void parseBlock(ByteBuffer block, long offset, List<Xattr> out)
      throws Ext4CorruptException {
    ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(0);
    int blocks = b.getInt(8);
    if (magic != MAGIC || blocks != 1) {
      throw new Ext4CorruptException("extended attribute block", offset, "magic 0xEA020000 and"
          + " h_blocks 1, found 0x" + Integer.toHexString(magic) + " and " + blocks);
    }
    parseEntries(b, BLOCK_HEADER, "extended attribute block", offset, out);
  }

  private static void parseEntries(ByteBuffer b, int first, String where, long offset,
      List<Xattr> out) throws Ext4CorruptException {
    int end = b.limit();
    int pos = first;
    while (true) {
      if (end - pos < 4) {
        throw new Ext4CorruptException(where, offset, "entries ended by 4 zero bytes within "
            + end + " bytes");
      }
      if (b.getInt(pos) == 0) {
        return;
      }
      int nameLen = b.get(pos) & 0xFF;
      int index = b.get(pos + 1) & 0xFF;
      int valueOffs = Superblock.u16(b, pos + 2);
      long valueInum = Superblock.u32(b, pos + 4);
      long valueSize = Superblock.u32(b, pos + 8);
      int size = (ENTRY + nameLen + 3) & ~3;
      if (end - pos < size) {
        throw new Ext4CorruptException(where, offset, "entry at " + pos + " of " + size
            + " bytes within " + end);
      }
      byte[] nameBytes = new byte[nameLen];
      b.get(pos + ENTRY, nameBytes);
      String prefix = index < PREFIXES.length ? PREFIXES[index] : "unknown" + index + ".";
      String name = prefix + new String(nameBytes, StandardCharsets.UTF_8);
      byte[] value = null;
      if (valueInum == 0) {
        if (valueOffs + valueSize > end) {
          throw new Ext4CorruptException(where, offset, "value of " + name + " within "
              + end + " bytes, found " + valueSize + " bytes at " + valueOffs);
        }
        value = new byte[(int) valueSize];
        b.get(valueOffs, value);
      }
      out.add(new Xattr(name, value, valueInum, valueSize));
      pos += size;
    }
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return "Xattr[" + name + ", " + valueSize + " bytes]";
  }
}
