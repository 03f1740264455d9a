package io.github.qcow2nio.partition;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.partition.testing.MemoryChannel;
import io.github.qcow2nio.format.testing.Mutation;
import io.github.qcow2nio.format.testing.TreeReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the partition-table readers: the golden disks with patches the
 * fuzzer chooses (see {@link Mutation}), read as tables with 512- and 4096-byte sectors, then
 * opened through the provider on jimfs with every partition read. A result or an IOException
 * are the only acceptable outcomes; the timeout only catches a hang.
 */
class PartitionFuzzTest {
  static final List<String> SEEDS = List.of("mbr-logicals.img", "gpt-sgdisk.img",
      "gpt-hybrid.img", "fat-whole.img");

  static byte[] golden(String name) {
    try (InputStream in = new GZIPInputStream(
        PartitionFuzzTest.class.getResourceAsStream("/golden/" + name + ".gz"))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void tablesAndPartitions(byte[] input) throws IOException {
    // One seed in memory at a time: four 16 MiB disks, a mutated copy and its jimfs copy did not
    // fit the campaign's -Xmx128m.
    int seed = input.length == 0 ? 0 : (input[0] & 0xFF) % SEEDS.size();
    byte[] disk = Mutation.apply(List.of(golden(SEEDS.get(seed))), input);
    for (int sectorSize : new int[] {512, 4096}) {
      try {
        PartitionTables.read(new MemoryChannel(disk), sectorSize);
      } catch (IOException expected) {
        // a named refusal
      }
    }
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = jimfs.getPath("/disk.img");
      Files.write(p, disk);
      try {
        TreeReader.readAll(TreeReader.provider("partition"), p);
      } catch (IOException expected) {
        // a named refusal
      }
    }
  }
}
