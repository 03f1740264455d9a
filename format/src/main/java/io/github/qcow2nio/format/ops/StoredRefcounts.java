package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The refcounts an image stores, read as QEMU's check reads them: a cluster past the table or
 * under an empty table entry counts 0, a block past the end of the file reads as zeros, and an
 * entry with reserved bits or an unaligned block cannot be read. Remembers the last block only.
 */
final class StoredRefcounts {
  private final HostFile file;
  private final int clusterBits;
  private final int order;
  private final int blockBits;
  private final long[] table;
  private long cachedOffset = -1;
  private RefcountBlock cached;

  StoredRefcounts(HostFile file, int clusterBits, int order, long[] table) {
    this.file = file;
    this.clusterBits = clusterBits;
    this.order = order;
    this.blockBits = clusterBits + 3 - order;
    this.table = table;
  }

  long get(long cluster) throws IOException {
    long ti = cluster >>> blockBits;
    if (ti >= table.length) {
      return 0;
    }
    long e = table[(int) ti];
    if (e == 0) {
      return 0;
    }
    if ((e & ((1L << clusterBits) - 1)) != 0) {
      throw new CorruptImageException("refcount table entry " + ti, -1,
          "refcount block offset 0x" + Long.toHexString(e) + " is not cluster-aligned");
    }
    if (e != cachedOffset) {
      ByteBuffer b = ByteBuffer.allocate(1 << clusterBits);
      file.readOrZero(b, e);
      cached = new RefcountBlock(b.array(), order);
      cachedOffset = e;
    }
    return cached.get((int) (cluster & ((1L << blockBits) - 1)));
  }
}
