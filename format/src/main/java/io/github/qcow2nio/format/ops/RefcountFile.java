package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The refcounts of a locked image no cache holds, changed one count at a time on the file: for
 * the few decrements that end an operation, where a cache would be more machinery than work.
 * Each change is one write of a refcount block (only its own entry differs, so a torn write
 * leaves the others as they were) or of one refcount table entry.
 */
final class RefcountFile {
  private static final long BLOCK_MASK = 0x00ff_ffff_ffff_fe00L;

  private final HostFile file;
  private final Header h;
  private final int cs;
  private final long perBlock;
  private final long[] table;

  /** The caller checked the refcount table's size against the limits. */
  RefcountFile(HostFile file, Header h) throws IOException {
    this.file = file;
    this.h = h;
    this.cs = h.clusterSize();
    this.perBlock = RefcountBlock.entries(h.clusterBits(), h.refcountOrder());
    ByteBuffer t = ByteBuffer.allocate(h.refcountTableClusters() * cs);
    file.readOrZero(t, h.refcountTableOffset());
    t.clear();
    this.table = new long[t.capacity() / 8];
    t.asLongBuffer().get(table);
  }

  private long block(long index) {
    long ti = index / perBlock;
    if (ti >= table.length) {
      return 0;
    }
    long b = table[(int) ti] & BLOCK_MASK;
    return (b & (cs - 1)) == 0 ? b : 0;
  }

  private RefcountBlock read(long block) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(cs);
    file.readOrZero(b, block);
    return new RefcountBlock(b.array(), h.refcountOrder());
  }

  /** One reference less on host cluster {@code index} (a count already 0 stays 0); not forced. */
  void decrement(long index) throws IOException {
    long b = block(index);
    if (b == 0) {
      return;
    }
    RefcountBlock rb = read(b);
    int i = (int) (index % perBlock);
    long v = rb.get(i);
    if (v > 0) {
      rb.set(i, v - 1);
      file.write(ByteBuffer.wrap(rb.bytes()), b);
    }
  }

  /**
   * Unhooks every refcount block that counts no cluster but itself, and drops its reference,
   * until none is left (dropping one may leave the block that counted it idle). Forced.
   */
  void dropIdleBlocks() throws IOException {
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int ti = 1; ti < table.length; ti++) {
        long b = table[ti] & BLOCK_MASK;
        if (b == 0 || (b & (cs - 1)) != 0 || !idle(ti, b)) {
          continue;
        }
        file.write(ByteBuffer.allocate(8), h.refcountTableOffset() + 8L * ti);
        file.force();
        table[ti] = 0;
        // Unhooked: the block's own count went with it, or lives in a block still hooked.
        decrement(b / cs);
        file.force();
        changed = true;
      }
    }
  }

  private boolean idle(int ti, long block) throws IOException {
    RefcountBlock rb = read(block);
    long self = block / cs - ti * perBlock;
    for (int i = 0; i < perBlock; i++) {
      if (rb.get(i) != 0 && i != self) {
        return false;
      }
    }
    return true;
  }
}
