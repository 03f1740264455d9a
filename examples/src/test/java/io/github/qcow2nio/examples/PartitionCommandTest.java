package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.qcow2nio.examples.ToolRun.ok;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * partition on empty raw and qcow2 disks: sgdisk -v and sfdisk --verify accept the tables, and
 * sfdisk --json lists them as asked.
 */
class PartitionCommandTest {
  private static final String EFI = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
  @TempDir Path dir;

  @BeforeEach
  void tools() {
    HostTools.assume("qemu-img", "sfdisk", "sgdisk");
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "qcow2"})
  void gptTablesPassSgdiskAndSfdisk(String kind) throws IOException {
    Path image = DiskFixtures.emptyDisk(dir, kind, "64M");
    String out = ok("partition", image.toString(), "gpt", "16M:efi", "8M", "-").out();
    Path raw = DiskFixtures.checkedRaw(image);
    String verify = HostTools.ok("sgdisk", "-v", raw.toString());
    assertTrue(verify.contains("No problems found"), verify);
    HostTools.ok("sfdisk", "--verify", raw.toString());
    String json = HostTools.ok("sfdisk", "--json", raw.toString());
    assertEquals(List.of(2048L, 34816L, 51200L), fields(json, "start"), json);
    assertEquals(List.of(32768L, 16384L), fields(json, "size").subList(0, 2), json);
    assertTrue(json.contains("\"type\": \"" + EFI + "\""), json);
    assertEquals(out, ok("partitions", image.toString()).out(), "printed as read back");
    ToolRun again = ToolRun.of("partition", image.toString(), "mbr", "-");
    assertEquals(1, again.status());
    assertTrue(again.err().contains("already has a partition table"), again.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "qcow2"})
  void mbrTablesWithLogicalPartitionsPassSfdisk(String kind) throws IOException {
    Path image = DiskFixtures.emptyDisk(dir, kind, "64M");
    ok("partition", image.toString(), "mbr", "8M:c", "8M", "8M", "8M", "-:83");
    Path raw = DiskFixtures.checkedRaw(image);
    HostTools.ok("sfdisk", "--verify", raw.toString());
    String json = HostTools.ok("sfdisk", "--json", raw.toString());
    assertEquals(6, fields(json, "start").size(), json); // 1-3, extended 4, logical 5 and 6
    assertTrue(json.contains("\"type\": \"c\""), json);
    String listed = ok("partitions", image.toString()).out();
    for (int n : new int[] {1, 2, 3, 4, 5, 6}) {
      assertTrue(listed.lines().anyMatch(l -> l.trim().startsWith(n + " ")), listed);
    }
  }

  @Test
  void partitionRejectsBadSizes() throws IOException {
    Path image = DiskFixtures.emptyDisk(dir, "qcow2", "16M");
    String[][] cases = {
        {"partition", image.toString(), "gpt", "-", "1M"},
        {"partition", image.toString(), "gpt", "1000"},
        {"partition", image.toString(), "gpt", "lots"},
        {"partition", image.toString(), "zfs", "1M"},
    };
    for (String[] args : cases) {
      ToolRun run = ToolRun.of(args);
      assertEquals(1, run.status(), String.join(" ", args));
      assertTrue(run.err().startsWith("qcow2: partition: "), run.err());
    }
    ToolRun tooBig = ToolRun.of("partition", image.toString(), "gpt", "15M", "8M");
    assertEquals(1, tooBig.status());
    assertTrue(tooBig.err().startsWith("qcow2: ") && tooBig.err().lines().count() == 1,
        tooBig.err());
    ToolRun none = ToolRun.of("partitions", image.toString());
    assertTrue(none.err().contains("no partition table"), "nothing was written: " + none.err());
  }

  private static List<Long> fields(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(json);
    List<Long> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(Long.parseLong(m.group(1)));
    }
    return out;
  }
}
