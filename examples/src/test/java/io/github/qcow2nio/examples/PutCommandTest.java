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
 * put into FAT partitions of disks the real tools made, raw and qcow2 (plain, compressed, under
 * an overlay): after qemu-img check and convert -O raw, mcopy gives back what was put,
 * fsck.fat -n finds nothing wrong, and the neighbouring ext4 partition is untouched.
 */
class PutCommandTest {
  @TempDir Path dir;

  @BeforeEach
  void tools() {
    HostTools.assume("qemu-img", "sfdisk", "mkfs.fat", "fsck.fat", "mmd", "mcopy", "mattrib",
        "mkfs.ext4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "qcow2", "qcow2-c", "overlay"})
  void putThenMcopyGivesTheSameBytes(String kind) throws IOException {
    Path fat = DiskFixtures.fatVolume(dir, "fat.img");
    Path ext = DiskFixtures.extVolume(dir, "ext.img");
    Path raw = DiskFixtures.partitionedDisk(dir, "gpt", fat, ext);
    Path image = switch (kind) {
      case "raw" -> raw;
      case "qcow2" -> DiskFixtures.toQcow2(raw, "disk.qcow2", false);
      case "qcow2-c" -> DiskFixtures.toQcow2(raw, "disk.qcow2", true);
      default -> DiskFixtures.overlay(DiskFixtures.toQcow2(raw, "base.qcow2", false),
          "disk.qcow2");
    };
    byte[] big = new byte[700_000];
    new Random(5).nextBytes(big);
    Path bigFile = Files.write(dir.resolve("new.bin"), big);
    Path hello = Files.writeString(dir.resolve("hello.txt"), "replaced\n");
    ok("put", image.toString(), "1:/dir/sub/big.bin", bigFile.toString());
    ok("put", image.toString(), "1:/", hello.toString());
    ok("put", image.toString(), "1:/dir", bigFile.toString());
    assertArrayEquals(big, FileCommandsTest.catBytes(image.toString(), "1:/dir/new.bin"));

    Path out = DiskFixtures.checkedRaw(image);
    Path p1 = DiskFixtures.extract(out, 1, dir.resolve("p1.img"));
    HostTools.fsckClean(p1);
    assertArrayEquals(big, HostTools.run(null, "mcopy", "-i", p1.toString(),
        "::/dir/sub/big.bin", "-").out());
    assertArrayEquals(big, HostTools.run(null, "mcopy", "-i", p1.toString(), "::/dir/new.bin",
        "-").out());
    assertArrayEquals("replaced\n".getBytes(), HostTools.run(null, "mcopy", "-i", p1.toString(),
        "::/hello.txt", "-").out());
    assertArrayEquals(DiskFixtures.files().get("/dir/sub/data.bin"), HostTools.run(null,
        "mcopy", "-i", p1.toString(), "::/dir/sub/data.bin", "-").out(), "untouched file");
    // The neighbouring ext4 partition is untouched.
    Path p2 = DiskFixtures.extract(out, 2, dir.resolve("p2.img"));
    assertArrayEquals(Files.readAllBytes(ext), Files.readAllBytes(p2));
  }

  @Test
  void putRefusesWhatItCannotDo() throws IOException {
    Path fat = DiskFixtures.fatVolume(dir, "fat.img");
    Path ext = DiskFixtures.extVolume(dir, "ext.img");
    Path image = DiskFixtures.toQcow2(DiskFixtures.partitionedDisk(dir, "gpt", fat, ext),
        "disk.qcow2", false);
    Path file = Files.writeString(dir.resolve("f.txt"), "x");
    String[][] cases = {
        {"put", image.toString(), "2:/f.txt", file.toString()}, {"read-only"},
        {"put", image.toString(), "1:/nodir/f.txt", file.toString()},
        {"Could not open '1:/nodir/f.txt': No such file or directory"},
        {"put", image.toString(), "1:/", dir.resolve("absent").toString()}, {"No such file"},
    };
    for (int i = 0; i < cases.length; i += 2) {
      ToolRun run = ToolRun.of(cases[i]);
      assertEquals(1, run.status(), String.join(" ", cases[i]));
      assertTrue(run.err().startsWith("qcow2: ") && run.err().contains(cases[i + 1][0]),
          run.err());
    }
    String check = HostTools.ok("qemu-img", "check", image.toString());
    assertTrue(check.contains("No errors were found on the image."), check);
  }
}
