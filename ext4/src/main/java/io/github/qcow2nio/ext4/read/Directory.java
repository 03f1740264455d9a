package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.DirEntry;
import io.github.qcow2nio.ext4.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entries of one directory, read linearly block by block. An htree-indexed directory reads
 * the same way: its root block is "." and a ".." whose record covers the index, and its interior
 * index blocks are one unused entry spanning the block, so the leaves are all that a scan sees.
 * Listing streams a block at a time; nothing grows with what the directory claims.
 */
public final class Directory {
  /** Larger directories are refused: a scan reads every block, and Linux's own stay far below. */
  public static final long MAX_SIZE = 64L << 20;

  private final Volume volume;
  private final Inode inode;
  private final FileData data;
  private final byte[] inline;
  private final long blocks;

  private Directory(Volume volume, Inode inode) throws IOException {
    this.volume = volume;
    this.inode = inode;
    this.data = FileData.of(volume, inode);
    if (inode.hasFlag(Inode.INLINE_DATA_FL)) {
      this.inline = FileData.inlineBytes(inode);
      this.blocks = 0;
    } else {
      this.inline = null;
      if (inode.size() > MAX_SIZE) {
        throw new Ext4CorruptException("directory inode " + inode.number(), -1,
            "a directory of at most " + MAX_SIZE + " bytes, found " + inode.size());
      }
      this.blocks = (inode.size() + volume.blockSize() - 1) / volume.blockSize();
    }
  }

  public static Directory of(Volume volume, Inode inode) throws IOException {
    if (!inode.isDirectory()) {
      throw new IllegalArgumentException("not a directory: " + inode);
    }
    return new Directory(volume, inode);
  }

  public Inode inode() {
    return inode;
  }

  /** A cursor over the live entries, "." and ".." left out. */
  public Cursor cursor() {
    return new Cursor();
  }

  /** The entry called {@code name}, or null; the scan stops at the first match. */
  public DirEntry find(byte[] name) throws IOException {
    Cursor c = cursor();
    for (List<DirEntry> chunk = c.next(); chunk != null; chunk = c.next()) {
      for (DirEntry e : chunk) {
        if (Arrays.equals(e.name(), name)) {
          return e;
        }
      }
    }
    return null;
  }

  /** Walks a directory one block (or the inline area) at a time. */
  public final class Cursor {
    private long block;
    private boolean inlineDone;

    private Cursor() {}

    /** The live entries of the next chunk (possibly empty), or null when there are no more. */
    public List<DirEntry> next() throws IOException {
      List<DirEntry> out = new ArrayList<>();
      boolean filetype = volume.superblock().features().fileType();
      long inodes = volume.superblock().inodesCount();
      int bs = volume.blockSize();
      String where = "directory inode " + inode.number();
      if (inline != null) {
        if (inlineDone) {
          return null;
        }
        inlineDone = true;
        int end = (int) Math.min(inline.length, Math.max(inode.size(), Inode.BLOCK_AREA));
        ByteBuffer b = ByteBuffer.wrap(inline).order(ByteOrder.LITTLE_ENDIAN);
        DirEntry.parse(b, 4, Inode.BLOCK_AREA, filetype, bs, inodes, where + " (inline)", -1,
            out);
        if (end > Inode.BLOCK_AREA) {
          DirEntry.parse(b, Inode.BLOCK_AREA, end, filetype, bs, inodes,
              where + " (inline, system.data)", -1, out);
        }
        return out;
      }
      if (block >= blocks) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(bs);
      data.read(b, block * bs);
      long offset = block * bs;
      block++;
      if (b.position() < bs) {
        throw new Ext4CorruptException(where, -1, "whole blocks, found a size of "
            + inode.size() + " bytes");
      }
      DirEntry.parse(b.flip(), 0, bs, filetype, bs, inodes, where + " block at file offset "
          + offset, -1, out);
      out.removeIf(DirEntry::isDotOrDotDot);
      return out;
    }
  }
}
