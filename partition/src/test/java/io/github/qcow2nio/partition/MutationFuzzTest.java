package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.partition.testing.Disks;
import io.github.qcow2nio.partition.testing.MemoryChannel;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random damage to the table sectors of valid disks, with the GPT CRCs recomputed half
 * of the time so the damage reaches the checks behind them. Every outcome is a table whose
 * partitions lie inside the disk without overlapping, "not a table", or a
 * {@link PartitionTableException}: never another exception.
 */
class MutationFuzzTest {
  static final int MIB = 1 << 20;
  static final int ROUNDS = 1500;

  @Test
  void damagedGptNeverEscapesAsAnotherException() throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[0]);
    PartitionTables.createGpt(ch, 4 * MIB, 512, List.of(PartitionSpec.of(MIB, "efi"),
        PartitionSpec.of(MIB, "linux").withName("x"), PartitionSpec.rest("swap")));
    byte[] good = ch.bytes();
    long last = good.length / 512 - 1;
    // Protective MBR, primary header, the first entries, backup entries and header.
    int[][] regions = {{0, 512}, {512, 1024}, {1024, 1024 + 512},
        {(int) ((last - 32) * 512), (int) ((last - 32) * 512 + 512)},
        {(int) (last * 512), good.length}};
    fuzz(good, regions, true, 1);
  }

  @Test
  void damagedMbrNeverEscapesAsAnotherException() throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[0]);
    PartitionTables.createMbr(ch, 12 * MIB, 512, List.of(PartitionSpec.of(MIB, "83"),
        PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB / 2, "82"),
        PartitionSpec.of(MIB / 2, "83"), PartitionSpec.rest("7")));
    byte[] good = ch.bytes();
    PartitionTable t = PartitionTables.read(new MemoryChannel(good), 0).orElseThrow();
    List<int[]> regions = new ArrayList<>();
    regions.add(new int[] {0, 512});
    for (Partition p : t.partitions()) {
      if (p.kind() == Partition.Kind.LOGICAL) {
        int ebr = (int) (p.start() - MIB);
        regions.add(new int[] {ebr + 446, ebr + 512});
      }
    }
    fuzz(good, regions.toArray(int[][]::new), false, 2);
  }

  private static void fuzz(byte[] good, int[][] regions, boolean gpt, long seedBase)
      throws IOException {
    byte[] d = good.clone();
    int tables = 0;
    int refused = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long seed = seedBase * 1_000_003L + round;
      Random r = new Random(seed);
      for (int[] reg : regions) { // undo the last round: all it touched lies in the regions
        System.arraycopy(good, reg[0], d, reg[0], reg[1] - reg[0]);
      }
      int flips = 1 + r.nextInt(6);
      for (int k = 0; k < flips; k++) {
        int[] reg = regions[r.nextInt(regions.length)];
        int at = reg[0] + r.nextInt(reg[1] - reg[0]);
        d[at] = r.nextInt(4) == 0 ? (byte) 0xFF : (byte) r.nextInt(256);
      }
      if (gpt && r.nextBoolean()) {
        Disks.fixGptCrcs(d, 512, 1);
        Disks.fixGptCrcs(d, 512, d.length / 512 - 1);
      }
      try {
        Optional<PartitionTable> t = PartitionTables.read(new MemoryChannel(d, false), 0);
        if (t.isPresent()) {
          checkSane(t.get(), d.length, seed);
          tables++;
        }
      } catch (PartitionTableException expected) {
        assertTrue(expected.getMessage().contains(" at byte "), expected.getMessage());
        refused++;
      } catch (IOException | RuntimeException e) {
        fail("seed " + seed + ": " + e, e);
      }
    }
    // Damage that never reached a check, or never passed one, would test nothing.
    assertTrue(tables > ROUNDS / 20 && refused > ROUNDS / 20,
        tables + " tables read, " + refused + " refused of " + ROUNDS);
  }

  private static void checkSane(PartitionTable t, long diskSize, long seed) {
    List<Partition> sorted = new ArrayList<>(t.partitions());
    sorted.removeIf(p -> p.kind() == Partition.Kind.EXTENDED);
    sorted.sort(Comparator.comparingLong(Partition::start));
    long end = 0;
    for (Partition p : sorted) {
      assertTrue(p.start() >= end && p.size() > 0 && p.start() + p.size() <= diskSize,
          "seed " + seed + ": " + p);
      end = p.start() + p.size();
    }
  }

  /** The provider on a hostile disk: the table's exception, not "not mine". */
  @Test
  void providerReportsABrokenTableRatherThanPassingItOn() throws IOException {
    MemoryChannel ch = new MemoryChannel(new byte[0]);
    PartitionTables.createGpt(ch, 4 * MIB, 512, List.of(PartitionSpec.rest("linux")));
    byte[] d = ch.bytes();
    d[512 + 16] ^= 1;
    d[d.length - 512 + 16] ^= 1;
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path disk = Files.write(jimfs.getPath("/bad.img"), d);
      PartitionTableException e = org.junit.jupiter.api.Assertions.assertThrows(
          PartitionTableException.class, () -> FileSystems.newFileSystem(disk));
      assertTrue(e.getMessage().contains("GPT"), e.getMessage());
    }
  }
}
