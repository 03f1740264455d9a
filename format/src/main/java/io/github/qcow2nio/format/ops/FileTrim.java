package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * After a shrink, qemu-img cuts the image file after its last cluster in use; the disk's shrink
 * frees the clusters past the new end but leaves the file's length. This reads the refcounts of
 * a flushed image no cache holds and truncates after the last referenced cluster, so that the
 * file matches qemu-img's byte for byte. Nothing referenced is ever cut. (It was the tool's;
 * the core does it now, for every caller of resize and amend.)
 */
final class FileTrim {
  private FileTrim() {}

  /** Truncates {@code file} after its last cluster with a nonzero refcount; forced. */
  static void trim(HostFile file) throws IOException {
    ByteBuffer first = ByteBuffer.allocate((int) Math.min(file.size(), 1 << 21));
    file.read(first, 0);
    first.flip();
    Header h = Header.parse(first, file.name());
    int clusterSize = h.clusterSize();
    long tableBytes = (long) h.refcountTableClusters() * clusterSize;
    if (tableBytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      return; // Not an image this trims; the core has opened and checked it already.
    }
    ByteBuffer table = ByteBuffer.allocate((int) tableBytes);
    file.readOrZero(table, h.refcountTableOffset());
    long perBlock = (long) clusterSize * 8 / h.refcountBits();
    long last = -1;
    for (int i = 0; i < tableBytes / 8; i++) {
      long blockOffset = table.getLong(i * 8) & 0x00ff_ffff_ffff_fe00L;
      if (blockOffset == 0) {
        continue;
      }
      ByteBuffer b = ByteBuffer.allocate(clusterSize);
      file.readOrZero(b, blockOffset);
      RefcountBlock block = new RefcountBlock(b.array(), h.refcountOrder());
      for (int j = (int) perBlock - 1; j >= 0; j--) {
        if (block.get(j) != 0) {
          last = Math.max(last, i * perBlock + j);
          break;
        }
      }
    }
    long end = (last + 1) * clusterSize;
    if (last >= 0 && end < file.size()) {
      file.truncate(end);
      file.force();
    }
  }
}
