package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * After {@code resize --shrink} of a qcow2 image, qemu-img cuts the file after its last cluster
 * in use; the core frees the clusters past the new end but leaves the file's length. This reads
 * the refcounts (exported on-disk records only) and truncates after the last referenced cluster,
 * so that the file matches qemu-img's byte for byte. Nothing referenced is ever cut.
 */
final class ShrinkTrim {
  private ShrinkTrim() {}

  static void trim(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer first = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 21));
      ch.read(first, 0);
      first.flip();
      Header h = Header.parse(first, file.toString());
      int clusterSize = h.clusterSize();
      long tableBytes = (long) h.refcountTableClusters() * clusterSize;
      if (tableBytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
        return; // Not an image this trims; the core has opened and checked it already.
      }
      ByteBuffer table = read(ch, h.refcountTableOffset(), (int) tableBytes);
      long perBlock = (long) clusterSize * 8 / h.refcountBits();
      long last = -1;
      for (int i = 0; i < tableBytes / 8; i++) {
        long blockOffset = table.getLong(i * 8) & 0x00ff_ffff_ffff_fe00L;
        if (blockOffset == 0) {
          continue;
        }
        RefcountBlock block = new RefcountBlock(read(ch, blockOffset, clusterSize).array(),
            h.refcountOrder());
        for (int j = (int) perBlock - 1; j >= 0; j--) {
          if (block.get(j) != 0) {
            last = Math.max(last, i * perBlock + j);
            break;
          }
        }
      }
      long end = (last + 1) * clusterSize;
      if (last >= 0 && end < ch.size()) {
        ch.truncate(end);
        ch.force(true);
      }
    }
  }

  private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
      // reads until full or the end of the file (what is past it reads as zeros)
    }
    return b.clear();
  }
}
