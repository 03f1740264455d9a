package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The extended attributes of an inode: in the inode, then in its attribute block. */
public final class Xattrs {
  /** Linux's limit on one value; an ea_inode value claiming more is corrupt. */
  public static final int MAX_VALUE = 65536;

  private Xattrs() {}

  /** Every attribute by full name ("user.comment"), values loaded. */
  public static Map<String, byte[]> read(Volume volume, Inode inode) throws IOException {
    List<Xattr> all = new ArrayList<>();
    Xattr.parseInInode(inode.inlineXattrs(), inode.number(), all);
    long acl = inode.fileAcl();
    if (acl != 0) {
      ByteBuffer b = volume.block(acl, "extended attribute block of inode " + inode.number());
      Xattr.parseBlock(b, acl * volume.blockSize(), all);
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Xattr x : all) {
      out.putIfAbsent(x.name(), x.value() != null ? x.value() : valueInInode(volume, inode, x));
    }
    return out;
  }

  private static byte[] valueInInode(Volume volume, Inode owner, Xattr x) throws IOException {
    if (x.valueSize() > MAX_VALUE || x.valueInode() == owner.number()) {
      throw new Ext4CorruptException("extended attribute " + x.name() + " of inode "
          + owner.number(), -1, "a value of at most " + MAX_VALUE + " bytes in another inode,"
          + " found " + x.valueSize() + " bytes in inode " + x.valueInode());
    }
    Inode holder = volume.inode(x.valueInode());
    if (holder.hasFlag(Inode.INLINE_DATA_FL) || !holder.isRegularFile()
        || holder.size() != x.valueSize()) {
      throw new Ext4CorruptException("extended attribute " + x.name() + " of inode "
          + owner.number(), -1, "value inode " + x.valueInode() + " a regular file of "
          + x.valueSize() + " bytes, found " + holder);
    }
    return FileData.of(volume, holder).readAll(MAX_VALUE, "extended attribute value");
  }
}
