package io.github.qcow2nio.format.disk;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Read-modify-write of partial sectors for encrypted layers: a cipher works on whole 512-byte
 * sectors, so a write that starts or ends inside one is widened to whole sectors with what the
 * guest sees around it (as QEMU's block layer aligns requests to an encrypted image's sector).
 */
final class SectorMerge {
  static final int SECTOR = 512;

  private SectorMerge() {}

  static boolean aligned(long pos, int n) {
    return ((pos | n) & (SECTOR - 1)) == 0;
  }

  /** The sector {@code pos} lies in. */
  static long start(long pos) {
    return pos & -SECTOR;
  }

  /**
   * {@code src} for guest {@code pos} widened to whole sectors with the guest view from
   * {@code clusters}, in a buffer of its own (the pending run may keep it); {@code src} is left
   * as it was.
   */
  static ByteBuffer widen(ClusterWriter clusters, ByteBuffer src, long pos) throws IOException {
    int n = src.remaining();
    long start = start(pos);
    long end = (pos + n + SECTOR - 1) & -SECTOR;
    ByteBuffer b = ByteBuffer.allocate((int) (end - start));
    clusters.readView(b.limit((int) (pos - start)), start);
    b.limit(b.capacity()).position((int) (pos - start));
    b.put(src.duplicate());
    clusters.readView(b, pos + n);
    return b.clear();
  }
}
