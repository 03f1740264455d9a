package io.github.qcow2nio.format.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block status runs go on across L2 tables: a sparse disk is as many runs as it has kinds of
 * storage in a row, not one per L1 entry, and the runs are exactly the per-table runs merged
 * (same kind, host storage contiguous), so {@code qemu-img map}'s output, which merges them
 * the same way, does not change.
 */
class BlockStatusRunsTest {
  private static final long GIB = 1L << 30;
  private static final int CLUSTER = 65536;
  /** One 64 KiB-cluster L2 table maps 512 MiB. */
  private static final long TABLE_SPAN = 512L << 20;

  @TempDir Path dir;

  private static List<Extent> runs(VirtualDisk disk) throws IOException {
    List<Extent> all = new ArrayList<>();
    for (long off = 0; off < disk.size(); ) {
      Extent e = disk.blockStatus(off, disk.size() - off);
      all.add(e);
      off = e.end();
    }
    return all;
  }

  @Test
  void anEightTibSparseDiskIsOneRunPerKindOfStorage() throws IOException {
    Path p = dir.resolve("sparse.qcow2");
    long size = 8L << 40;
    long[] at = {0, 8 * GIB, 4096 * GIB + CLUSTER, size - CLUSTER};
    try (Qcow2Image image = Qcow2Image.create(p, CreateOptions.builder(size).build())) {
      for (long a : at) {
        image.disk().write(ByteBuffer.wrap(new byte[CLUSTER]).put(0, (byte) 1), a);
      }
      // Zeros over data: over unallocated clusters they would stay unallocated (no backing).
      image.disk().write(ByteBuffer.allocate(2 * CLUSTER).put(0, (byte) 2), 16 * GIB);
      image.disk().writeZeros(16 * GIB, 2 * CLUSTER);
    }
    try (Qcow2Image image = Qcow2Image.open(p)) {
      List<Extent> runs = runs(image.disk());
      List<String> got = new ArrayList<>();
      for (Extent e : runs) {
        got.add(e.start() + "+" + e.length() + " " + e.type());
      }
      assertEquals(List.of(
          "0+65536 NORMAL",
          "65536+" + (8 * GIB - CLUSTER) + " UNALLOCATED",
          8 * GIB + "+65536 NORMAL",
          (8 * GIB + CLUSTER) + "+" + (8 * GIB - CLUSTER) + " UNALLOCATED",
          16 * GIB + "+131072 ZERO",
          (16 * GIB + 2 * CLUSTER) + "+" + (4080 * GIB - CLUSTER) + " UNALLOCATED",
          (4096 * GIB + CLUSTER) + "+65536 NORMAL",
          (4096 * GIB + 2 * CLUSTER) + "+" + (size - 4096 * GIB - 3 * CLUSTER)
              + " UNALLOCATED",
          (size - CLUSTER) + "+65536 NORMAL"), got);
    }
  }

  /** The per-table runs (what block status gave before it ran on), merged as qemu-img merges. */
  private static List<Extent> perTableMerged(VirtualDisk disk) throws IOException {
    List<Extent> merged = new ArrayList<>();
    for (long off = 0; off < disk.size(); ) {
      long tableEnd = Math.min(disk.size(), (off / TABLE_SPAN + 1) * TABLE_SPAN);
      Extent e = disk.blockStatus(off, tableEnd - off);
      Extent last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      boolean joins = last != null && last.type() == e.type()
          && e.type() != ClusterType.COMPRESSED
          && last.hasHostOffset() == e.hasHostOffset()
          && (!e.hasHostOffset() || last.hostOffset() + last.length() == e.hostOffset());
      if (joins) {
        merged.set(merged.size() - 1, new Extent(last.start(), last.length() + e.length(),
            last.type(), last.hostOffset()));
      } else {
        merged.add(e);
      }
      off = e.end();
    }
    return merged;
  }

  @Test
  void runsAreThePerTableRunsMerged() throws IOException {
    Path p = dir.resolve("mixed.qcow2");
    long size = 6 * TABLE_SPAN;
    Random rnd = new Random(20261126L);
    try (Qcow2Image image = Qcow2Image.create(p, CreateOptions.builder(size).build())) {
      VirtualDisk disk = image.disk();
      for (int i = 0; i < 60; i++) {
        // Mostly near table ends, where runs used to stop: data, zeros and discards across them.
        long table = 1 + rnd.nextInt(5);
        long a = table * TABLE_SPAN + (rnd.nextInt(16) - 8) * (long) CLUSTER;
        int len = (1 + rnd.nextInt(4)) * CLUSTER;
        switch (rnd.nextInt(4)) {
          case 0, 1 -> disk.write(ByteBuffer.allocate(len).put(0, (byte) 7), a);
          case 2 -> disk.writeZeros(a, len);
          default -> disk.discard(a, len);
        }
      }
    }
    try (Qcow2Image image = Qcow2Image.open(p, OpenOptions.readOnly())) {
      List<Extent> runs = runs(image.disk());
      assertEquals(perTableMerged(image.disk()), runs);
      long crossing = runs.stream()
          .filter(e -> e.start() / TABLE_SPAN != (e.end() - 1) / TABLE_SPAN).count();
      // Not a tautology: some runs do cross a table end.
      assertTrue(crossing > 0, runs.toString());
    }
  }
}
