package io.github.qcow2nio.ext4.disk;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A directory entry ({@code ext4_dir_entry_2}): inode, record length, name and, with the filetype
 * feature, the type of the file it names. Entries with inode 0 are unused space: deleted entries,
 * the checksum tail of a leaf block, and the whole of an htree interior node, so a linear scan
 * that skips them sees exactly the live names.
 */
public record DirEntry(long inode, int fileType, byte[] name) {
  public static final int HEADER = 8;

  /** True for "." and "..", which a listing leaves out. */
  public boolean isDotOrDotDot() {
    return (name.length == 1 && name[0] == '.')
        || (name.length == 2 && name[0] == '.' && name[1] == '.');
  }

  /**
   * Appends the live entries of {@code [from, to)} in {@code data} to {@code out}. Every
   * {@code rec_len} must cover its name, stay 4-aligned and end inside the range, so the scan
   * always advances and stops; {@code offset} is the device byte of {@code from} (or -1 inside
   * an inode) for errors.
   */
  public static void parse(ByteBuffer data, int from, int to, boolean hasFileType,
      int blockSize, long inodesCount, String where, long offset, List<DirEntry> out)
      throws Ext4CorruptException {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int pos = from;
    while (pos < to) {
      long at = offset < 0 ? -1 : offset + (pos - from);
      if (to - pos < HEADER) {
        throw new Ext4CorruptException(where, at, "a directory entry header (8 bytes), found "
            + (to - pos) + " bytes left");
      }
      long inode = Superblock.u32(b, pos);
      int recLen = Superblock.u16(b, pos + 4);
      if (blockSize == 65536 && (recLen == 65535 || recLen == 0)) {
        recLen = 65536;
      }
      int nameLen = hasFileType ? b.get(pos + 6) & 0xFF : Superblock.u16(b, pos + 6);
      int type = hasFileType ? b.get(pos + 7) & 0xFF : 0;
      if (recLen < HEADER + (inode != 0 ? nameLen : 0) || recLen % 4 != 0
          || recLen > to - pos) {
        throw new Ext4CorruptException(where, at, "rec_len a multiple of 4 covering the "
            + nameLen + "-byte name and within the " + (to - pos) + " bytes left, found "
            + recLen);
      }
      if (inode != 0) {
        if (inode > inodesCount || nameLen == 0) {
          throw new Ext4CorruptException(where, at, "an entry naming inode 1.." + inodesCount
              + " with a name, found inode " + inode + " name length " + nameLen);
        }
        byte[] name = new byte[nameLen];
        b.get(pos + HEADER, name);
        for (byte c : name) {
          if (c == 0 || c == '/') {
            throw new Ext4CorruptException(where, at, "a name without '/' or NUL");
          }
        }
        out.add(new DirEntry(inode, type, name));
      }
      pos += recLen;
    }
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(inode);
  }

  @Override
  public String toString() {
    return "DirEntry[" + new String(name, java.nio.charset.StandardCharsets.UTF_8) + " -> "
        + inode + "]";
  }
}
