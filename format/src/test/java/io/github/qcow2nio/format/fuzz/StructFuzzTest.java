package io.github.qcow2nio.format.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import io.github.qcow2nio.format.struct.RefcountBlock;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * One target per on-disk structure's parser, fed raw bytes: each must return a value or throw an
 * IOException, whatever the bytes. The timeout only catches a hang (Jazzer turns it into
 * libFuzzer's per-input timeout when fuzzing); nothing here is timed.
 */
class StructFuzzTest {

  /** The header and everything in cluster 0 after it: extensions, feature names, backing name. */
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void header(byte[] cluster0) {
    try {
      Header h = Header.parse(ByteBuffer.wrap(cluster0), "fuzz");
      byte[] again = h.toBytes();
      if (again.length != h.extensionsStart()) {
        throw new AssertionError("header of " + again.length + " bytes");
      }
      HeaderExtensions x = HeaderExtensions.parse(ByteBuffer.wrap(cluster0), h);
      x.extensionBytes();
    } catch (IOException expected) {
      // a named refusal
    }
  }

  /**
   * The snapshot table: bytes 0..2 the count (up to 65536 + 4464, past the limit), byte 3 the
   * cluster bits (9 + n % 13), then the table's bytes.
   */
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void snapshotTable(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int count = ((input[0] & 0xFF) << 16 | (input[1] & 0xFF) << 8 | (input[2] & 0xFF)) % 70001;
    int clusterBits = 9 + (input[3] & 0xFF) % 13;
    byte[] file = place(input, clusterBits);
    Header h = Header.builder().clusterBits(clusterBits).nbSnapshots(count)
        .snapshotsOffset(1L << clusterBits).build();
    try {
      List<SnapshotEntry> list = SnapshotTable.read(reader(file), h);
      for (SnapshotEntry e : list) {
        if (e.toBytes().length != e.length()) {
          throw new AssertionError("entry serialized to " + e.toBytes().length + " bytes, not "
              + e.length());
        }
      }
    } catch (IOException expected) {
      // a named refusal
    }
  }

  /**
   * The bitmap directory: bytes 0..2 the bitmap count (1..65535), byte 3 the cluster bits, then
   * the directory, behind an extension as its parser (which checks it first) accepts.
   */
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void bitmapDirectory(byte[] input) {
    if (input.length < 5) {
      return;
    }
    int nb = 1 + ((input[0] & 0xFF) << 16 | (input[1] & 0xFF) << 8 | (input[2] & 0xFF))
        % BitmapsExtension.MAX_BITMAPS;
    int clusterBits = 9 + (input[3] & 0xFF) % 13;
    byte[] file = place(input, clusterBits);
    Header h = Header.builder().clusterBits(clusterBits).build();
    try {
      BitmapDirectoryEntry.readDirectory(reader(file), h,
          new BitmapsExtension(nb, input.length - 4, 1L << clusterBits));
    } catch (IOException expected) {
      // a named refusal
    }
  }

  /** A file whose cluster 1 starts with {@code input} from byte 4 on. */
  static byte[] place(byte[] input, int clusterBits) {
    byte[] file = new byte[(1 << clusterBits) + input.length - 4];
    System.arraycopy(input, 4, file, 1 << clusterBits, input.length - 4);
    return file;
  }

  /** Table entries: L1, L2 (standard and extended), compressed descriptors, refcount blocks. */
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void tableEntries(byte[] cluster) {
    ByteBuffer b = ByteBuffer.wrap(cluster);
    for (int i = 0; i + 8 <= cluster.length; i += 8) {
      long w = b.getLong(i);
      new L1Entry(w).l2Offset();
      // An extended entry's second word, when the input holds one.
      L2Entry e = new L2Entry(w, i + 16 <= cluster.length ? b.getLong(i + 8) : 0);
      e.hostOffset();
      e.hasReservedBits();
      L2Entry.allocBits(w);
      L2Entry.zeroBits(w);
      for (int bits = Header.MIN_CLUSTER_BITS; bits <= Header.MAX_CLUSTER_BITS; bits++) {
        CompressedDescriptor.decode(w, bits).readLength();
      }
    }
    for (int order = 0; order <= Header.MAX_REFCOUNT_ORDER; order++) {
      byte[] block = java.util.Arrays.copyOf(cluster, Math.max(512, cluster.length & ~511));
      RefcountBlock r = new RefcountBlock(block, order);
      long n = (long) block.length * 8 >> order;
      for (int i = 0; i < n; i++) {
        if (Long.compareUnsigned(r.get(i), RefcountBlock.maxValue(order)) > 0) {
          throw new AssertionError("refcount above its maximum");
        }
      }
    }
  }

  static StructReader reader(byte[] file) {
    return new StructReader(new MemoryHostFile("fuzz", file, false), file.length);
  }
}
