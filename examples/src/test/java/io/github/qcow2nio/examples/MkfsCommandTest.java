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
 * mkfs on partitions the partition command made: fsck.fat -n accepts the volumes, sees the FAT
 * type asked for and the label, and mcopy reads back a file put into each.
 */
class MkfsCommandTest {
  @TempDir Path dir;

  @BeforeEach
  void tools() {
    HostTools.assume("qemu-img", "fsck.fat", "mcopy", "mdir", "sfdisk");
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "qcow2"})
  void mkfsMakesVolumesFsckAccepts(String kind) throws IOException {
    Path image = DiskFixtures.emptyDisk(dir, kind, "64M");
    ok("partition", image.toString(), "gpt", "40M:msdata", "-:msdata");
    String fat32 = ok("mkfs", "--label=BOOT", image.toString(), "1", "fat32").out();
    assertTrue(fat32.startsWith("partition 1: fat32, "), fat32);
    ok("mkfs", image.toString(), "2", "fat16");
    Path file = Files.writeString(dir.resolve("readme.txt"), "in a new volume\n");
    ok("put", image.toString(), "1:/", file.toString());
    ok("put", image.toString(), "2:/", file.toString());
    Path raw = DiskFixtures.checkedRaw(image);
    for (int n : new int[] {1, 2}) {
      Path p = DiskFixtures.extract(raw, n, dir.resolve("p" + n + ".img"));
      HostTools.fsckClean(p);
      assertArrayEquals(Files.readAllBytes(file), HostTools.run(null, "mcopy", "-i",
          p.toString(), "::/readme.txt", "-").out());
      String fsck = HostTools.ok("fsck.fat", "-n", "-v", p.toString());
      assertTrue(fsck.contains(n == 1 ? "32 bit entries" : "16 bit entries"), fsck);
    }
    String mdir = HostTools.ok("mdir", "-i", dir.resolve("p1.img").toString(), "::/");
    assertTrue(mdir.contains("Volume in drive : is BOOT"), mdir);
  }

  @Test
  void mkfsRefusesWhatItCannotDo() throws IOException {
    Path image = DiskFixtures.emptyDisk(dir, "qcow2", "64M");
    ok("partition", image.toString(), "gpt", "4M", "-");
    String[][] cases = {
        {"mkfs", image.toString(), "1", "fat32"}, {"partition 1"},
        {"mkfs", image.toString(), "3", "fat16"}, {"no partition 3"},
        {"mkfs", image.toString(), "x", "fat16"}, {"mkfs: N is a partition number"},
        {"mkfs", image.toString(), "1", "ntfs"}, {"mkfs: the file system is"},
        {"mkfs", "--label=way too long a label", image.toString(), "1", "fat16"}, {"mkfs: "},
    };
    for (int i = 0; i < cases.length; i += 2) {
      ToolRun run = ToolRun.of(cases[i]);
      assertEquals(1, run.status(), String.join(" ", cases[i]));
      assertTrue(run.err().startsWith("qcow2: ") && run.err().contains(cases[i + 1][0]),
          run.err());
    }
  }
}
