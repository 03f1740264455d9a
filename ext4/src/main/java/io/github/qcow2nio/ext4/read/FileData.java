package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one inode: inline (in {@code i_block} and the {@code system.data} attribute), or
 * through its block map. Reads past the size end the file; holes and uninitialised extents read
 * as zeros. Safe for concurrent readers.
 */
public final class FileData {
  private static final byte[] ZEROS = new byte[8192];

  private final Volume volume;
  private final Inode inode;
  private final long size;
  private final byte[] inline;
  private final BlockMap map;
  private volatile BlockMap.Run last;

  private FileData(Volume volume, Inode inode, byte[] inline, BlockMap map) {
    this.volume = volume;
    this.inode = inode;
    this.size = inode.size();
    this.inline = inline;
    this.map = map;
  }

  /**
   * The data of {@code inode}. Its size must be one the inode's map can address, so no claim of
   * a size leads a reader on past what the format can hold.
   */
  public static FileData of(Volume volume, Inode inode) throws IOException {
    long size = inode.size();
    String where = "inode " + inode.number();
    if (inode.hasFlag(Inode.INLINE_DATA_FL)) {
      byte[] data = inlineBytes(inode);
      if (size < 0 || size > data.length) {
        throw new Ext4CorruptException(where, -1, "an inline size within the " + data.length
            + " inline bytes, found " + size);
      }
      return new FileData(volume, inode, data, null);
    }
    BlockMap map;
    long capacity;
    if (inode.hasFlag(Inode.EXTENTS_FL)) {
      map = new ExtentMap(volume, inode);
      capacity = 1L << 32;
    } else {
      IndirectMap m = new IndirectMap(volume, inode);
      map = m;
      capacity = m.capacity();
    }
    if (size < 0 || size / volume.blockSize() > capacity) {
      throw new Ext4CorruptException(where, -1, "a size its block map can address ("
          + capacity + " blocks of " + volume.blockSize() + "), found " + Long.toUnsignedString(size));
    }
    return new FileData(volume, inode, null, map);
  }

  /** {@code i_block} then the value of {@code system.data}, as the inline_data feature lays out. */
  static byte[] inlineBytes(Inode inode) throws IOException {
    List<Xattr> xattrs = new ArrayList<>();
    Xattr.parseInInode(inode.inlineXattrs(), inode.number(), xattrs);
    byte[] more = new byte[0];
    for (Xattr x : xattrs) {
      if (x.name().equals("system.data") && x.value() != null) {
        more = x.value();
      }
    }
    byte[] all = new byte[Inode.BLOCK_AREA + more.length];
    System.arraycopy(inode.block(), 0, all, 0, Inode.BLOCK_AREA);
    System.arraycopy(more, 0, all, Inode.BLOCK_AREA, more.length);
    return all;
  }

  public long size() {
    return size;
  }

  public Inode inode() {
    return inode;
  }

  /** Reads from byte {@code pos} into {@code dst}; -1 at or past the end. */
  public int read(ByteBuffer dst, long pos) throws IOException {
    if (pos >= size) {
      return -1;
    }
    int want = (int) Math.min(dst.remaining(), size - pos);
    if (want == 0) {
      return 0;
    }
    if (inline != null) {
      dst.put(inline, (int) pos, want);
      return want;
    }
    int bs = volume.blockSize();
    int done = 0;
    while (done < want) {
      long at = pos + done;
      long logical = at / bs;
      int inBlock = (int) (at % bs);
      BlockMap.Run run = runOf(logical);
      long runBlocks = Math.min(run.logical() + run.length() - logical,
          (want - done) / bs + 2L);
      int n = (int) Math.min(want - done, runBlocks * bs - inBlock);
      if (run.isZeros()) {
        for (int left = n; left > 0; left -= ZEROS.length) {
          dst.put(ZEROS, 0, Math.min(left, ZEROS.length));
        }
      } else {
        ByteBuffer slice = dst.slice().limit(n);
        volume.readData(run.physical() + (logical - run.logical()), inBlock, slice);
        dst.position(dst.position() + n);
      }
      done += n;
    }
    return done;
  }

  private BlockMap.Run runOf(long logical) throws IOException {
    BlockMap.Run r = last;
    if (r != null && logical >= r.logical() && logical - r.logical() < r.length()) {
      return r;
    }
    r = map.find(logical);
    last = r;
    return r;
  }

  /** The whole file, refused past {@code max} bytes (directories, symlinks, attribute values). */
  public byte[] readAll(long max, String what) throws IOException {
    if (size > max) {
      throw new Ext4CorruptException(what + " (inode " + inode.number() + ")", -1,
          "at most " + max + " bytes, found " + size);
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    while (b.hasRemaining()) {
      if (read(b, b.position()) < 0) {
        break;
      }
    }
    return b.array();
  }
}
