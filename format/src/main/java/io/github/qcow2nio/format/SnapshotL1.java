package io.github.qcow2nio.format;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A snapshot's L1 table, read for its read-only disk: every field the table entry gives is
 * checked before anything is allocated, since the entry comes from the image's bytes.
 */
final class SnapshotL1 {
  private SnapshotL1() {}

  /** The L1 table of snapshot {@code s}, whose disk is {@code size} bytes. */
  static long[] read(HostFile file, Header header, SnapshotEntry s, long size)
      throws IOException {
    String l1What = "L1 table of snapshot '" + s.name() + "'";
    if ((s.l1TableOffset() & (header.clusterSize() - 1L)) != 0 || s.l1TableOffset() < 0) {
      throw new CorruptImageException(l1What, s.l1TableOffset(),
          "offset is not a multiple of the cluster size " + header.clusterSize());
    }
    if (Integer.toUnsignedLong(s.l1Size()) > Qcow2Limits.MAX_L1_ENTRIES) {
      throw new CorruptImageException(l1What, s.l1TableOffset(),
          Integer.toUnsignedString(s.l1Size()) + " entries exceed 32 MiB");
    }
    // An L1 table holds at most 32 MiB of entries; a recorded size beyond what they map is
    // corrupt, and would overflow the guest-offset arithmetic of the read path.
    int l2Bits = header.clusterBits() - (header.hasExtendedL2() ? 4 : 3);
    long maxSize = Qcow2Limits.MAX_L1_ENTRIES << (header.clusterBits() + l2Bits);
    if (size > maxSize) {
      throw new CorruptImageException("snapshot table (snapshot '" + s.name() + "')",
          header.snapshotsOffset(), "disk size " + size + " exceeds the " + maxSize
              + " bytes an L1 table of 32 MiB can map");
    }
    long[] l1 = new long[0];
    if (s.l1Size() > 0) {
      // Read (bounds-checked against the file) before allocating the table's array.
      ByteBuffer buf = new StructReader(file, file.size()).read(l1What, s.l1TableOffset(),
          s.l1Size() * 8);
      l1 = new long[s.l1Size()];
      buf.asLongBuffer().get(l1);
    }
    return l1;
  }
}
