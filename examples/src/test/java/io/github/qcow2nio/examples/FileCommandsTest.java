package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.qcow2nio.examples.ToolRun.ok;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * partitions, ls, cat and get on disks the real tools made (sfdisk, mkfs.fat + mtools,
 * mkfs.ext4 -d), raw and converted by qemu-img (plain, compressed, and under an overlay),
 * checked against sfdisk, mdir, mcopy and debugfs.
 */
class FileCommandsTest {
  @TempDir static Path dir;
  static Path fat;
  static Path ext;
  static final Map<String, Path> DISKS = new LinkedHashMap<>();

  @BeforeAll
  static void makeImages() throws IOException {
    HostTools.assume("qemu-img", "sfdisk", "mkfs.fat", "mmd", "mcopy", "mdir", "mattrib",
        "mkfs.ext4", "debugfs");
    fat = DiskFixtures.fatVolume(dir, "fat.img");
    ext = DiskFixtures.extVolume(dir, "ext.img");
    for (String label : List.of("gpt", "dos")) {
      Path raw = DiskFixtures.partitionedDisk(dir, label, fat, ext);
      DISKS.put(label + ".raw", raw);
      Path q = DiskFixtures.toQcow2(raw, label + ".qcow2", false);
      DISKS.put(label + ".qcow2", q);
      DISKS.put(label + "-c.qcow2", DiskFixtures.toQcow2(raw, label + "-c.qcow2", true));
      DISKS.put(label + "-overlay.qcow2", DiskFixtures.overlay(q, label + "-overlay.qcow2"));
    }
  }

  static Stream<String> disks() {
    return Stream.of("gpt.raw", "gpt.qcow2", "gpt-c.qcow2", "gpt-overlay.qcow2", "dos.raw",
        "dos.qcow2", "dos-c.qcow2", "dos-overlay.qcow2");
  }

  private static String disk(String name) {
    return DISKS.get(name).toString();
  }

  @ParameterizedTest
  @MethodSource("disks")
  void partitionsListsWhatSfdiskLists(String name) {
    String out = ok("partitions", disk(name)).out();
    Path raw = DISKS.get(name.startsWith("gpt") ? "gpt.raw" : "dos.raw");
    List<String> lines = out.lines().toList();
    assertTrue(lines.get(0).startsWith((name.startsWith("gpt") ? "gpt" : "mbr")
        + " partition table, 512-byte sectors"), out);
    assertEquals(4, lines.size(), out);
    for (int n = 1; n <= 2; n++) {
      String[] f = lines.get(1 + n).trim().split("\\s+");
      long start = DiskFixtures.partitionStart(raw, n);
      long size = DiskFixtures.partitionSize(raw, n);
      assertEquals(List.of(Integer.toString(n), Long.toString(start),
          Long.toString(start + size - 1)), List.of(f[0], f[1], f[2]), out);
      assertEquals(SizeFormat.human(size), f[3] + " " + f[4], out);
    }
    String sfdisk = HostTools.ok("sfdisk", "--json", raw.toString());
    for (String type : lines.subList(2, 4).stream().map(l -> l.trim().split("\\s+")[5])
        .toList()) {
      assertTrue(sfdisk.contains("\"type\": \"" + type + "\""), type + " in\n" + sfdisk);
    }
  }

  @ParameterizedTest
  @MethodSource("disks")
  void lsRecursiveListsWhatMdirLists(String name) {
    List<String> expected = new ArrayList<>();
    for (String l : HostTools.ok("mdir", "-b", "-/", "-i", fat.toString(), "::/").lines()
        .toList()) {
      String p = l.substring(2);
      expected.add(p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
    }
    List<String> got = ok("ls", "-R", disk(name), "1:/").out().lines().toList();
    assertEquals(expected.stream().sorted().toList(), got.stream().sorted().toList());
    assertEquals(got.stream().sorted(ToolOracles::byBytes).toList(), got, "sorted as C sorts");
  }

  @ParameterizedTest
  @MethodSource("disks")
  void lsLongShowsWhatMdirShows(String name) {
    for (String d : List.of("/", "/dir", "/dir/sub")) {
      assertEquals(ToolOracles.mdir(fat, d),
          ToolOracles.lsForFat(ok("ls", "-l", disk(name), "1:" + d).out()), d);
    }
    // FAT has no modes: shown as the vfat driver shows them (umask 022), mattrib's R as r--.
    assertTrue(HostTools.ok("mattrib", "-i", fat.toString(), "::/empty").contains("R"));
    Map<String, String> modes = ToolOracles.lsWhole(ok("ls", "-l", disk(name), "1:/").out());
    assertTrue(modes.get("empty").startsWith("-r--r--r-- "), modes.toString());
    assertTrue(modes.get("hello.txt").startsWith("-rw-r--r-- "), modes.toString());
    assertTrue(modes.get("dir").startsWith("drwxr-xr-x "), modes.toString());
    assertEquals(List.of("/hello.txt"), ok("ls", disk(name), "1:hello.txt").out().lines()
        .toList(), "a file lists as itself");
  }

  @ParameterizedTest
  @MethodSource("disks")
  void catAndGetGiveWhatMcopyGives(String name) throws IOException {
    for (Map.Entry<String, byte[]> e : DiskFixtures.files().entrySet()) {
      byte[] mcopy = HostTools.run(null, "mcopy", "-i", fat.toString(), "::" + e.getKey(), "-")
          .out();
      assertArrayEquals(e.getValue(), mcopy, e.getKey());
      assertArrayEquals(mcopy, catBytes(disk(name), "1:" + e.getKey()), e.getKey());
      Path got = dir.resolve("got-" + name);
      ok("get", disk(name), "1:" + e.getKey(), got.toString());
      assertArrayEquals(mcopy, Files.readAllBytes(got), e.getKey());
      Files.delete(got);
    }
    Path into = Files.createDirectories(dir.resolve("into-" + name));
    ok("get", disk(name), "1:/dir/note.TXT", into.toString());
    assertArrayEquals(DiskFixtures.files().get("/dir/note.TXT"),
        Files.readAllBytes(into.resolve("note.TXT")));
  }

  @ParameterizedTest
  @MethodSource("disks")
  void ext4PartitionReadsAsDebugfsReadsIt(String name) throws IOException {
    for (String d : List.of("/", "/dir", "/dir/sub")) {
      assertEquals(ToolOracles.debugfs(ext, d),
          ToolOracles.lsWhole(ok("ls", "-l", disk(name), "2:" + d).out()), d);
    }
    for (String f : DiskFixtures.files().keySet()) {
      byte[] debugfs = HostTools.run(null, "debugfs", "-R", "cat \"" + f + "\"", ext.toString())
          .out();
      assertArrayEquals(DiskFixtures.files().get(f), debugfs, f);
      assertArrayEquals(debugfs, catBytes(disk(name), "2:" + f), f);
    }
    assertArrayEquals(DiskFixtures.files().get("/dir/sub/data.bin"),
        catBytes(disk(name), "2:/link"), "cat follows the symbolic link");
    // The mode strings as GNU stat spells them for the tree mkfs.ext4 -d copied.
    Map<String, String> modes = ToolOracles.lsWhole(ok("ls", "-l", disk(name), "2:/dir").out());
    for (String f : List.of("suid", "sgid", "tmp", "note.TXT", "sub")) {
      String stat = HostTools.ok("stat", "-c", "%A", dir.resolve("ext.img-tree/dir/" + f)
          .toString()).strip();
      assertTrue(modes.get(f).startsWith(stat + " "), f + ": " + stat + " vs " + modes.get(f));
    }
    List<String> all = ok("ls", "-R", disk(name), "2:/").out().lines().toList();
    for (String f : DiskFixtures.files().keySet()) {
      assertTrue(all.contains(f), f + " in " + all);
    }
    assertTrue(all.containsAll(List.of("/dir", "/dir/sub", "/link", "/lost+found")), "" + all);
  }

  @Test
  void wholeDiskFileSystemsNeedNoPartitionNumber() throws IOException {
    Path extQcow2 = DiskFixtures.toQcow2(ext, "ext-whole.qcow2", true);
    assertArrayEquals(DiskFixtures.files().get("/dir/sub/data.bin"),
        catBytes(extQcow2.toString(), "/dir/sub/data.bin"));
    assertEquals(ToolOracles.debugfs(ext, "/"),
        ToolOracles.lsWhole(ok("ls", "-l", extQcow2.toString(), "/").out()));
    assertEquals(ToolOracles.mdir(fat, "/dir"),
        ToolOracles.lsForFat(ok("ls", "-l", fat.toString(), "dir").out()));
    assertArrayEquals(DiskFixtures.files().get("/A long name.txt"),
        catBytes(fat.toString(), "/A long name.txt"));
  }

  @Test
  void readingNeverChangesTheImage() throws IOException {
    for (String name : List.of("gpt.raw", "gpt-overlay.qcow2", "dos-c.qcow2")) {
      byte[] before = Files.readAllBytes(DISKS.get(name));
      ok("partitions", disk(name));
      ok("ls", "-lR", disk(name), "1:/");
      ok("ls", "-lR", disk(name), "2:/");
      catBytes(disk(name), "1:/dir/sub/data.bin");
      assertArrayEquals(before, Files.readAllBytes(DISKS.get(name)), name);
    }
  }

  @Test
  void mistakesAreOneLineOnStderr() {
    String gpt = disk("gpt.qcow2");
    String[][] cases = {
        {"ls", gpt, "/"}, {"partitioned"},
        {"ls", gpt, "9:/"}, {"no partition 9"},
        {"cat", gpt, "1:/dir"}, {"1:/dir: Is a directory"},
        {"cat", gpt, "1:/missing"}, {"Could not open '1:/missing': No such file or directory"},
        {"ls", gpt, "1:/missing"}, {"No such file or directory"},
        {"put", gpt, "2:/x", fat.toString()}, {"read-only"},
        {"partitions", fat.toString()}, {"no partition table"},
        {"ls", fat.toString(), "1:/"}, {"no partition table"},
        {"partitions", dir.resolve("nothing.qcow2").toString()}, {"No such file or directory"},
    };
    for (int i = 0; i < cases.length; i += 2) {
      ToolRun run = ToolRun.of(cases[i]);
      String what = String.join(" ", cases[i]);
      assertEquals(1, run.status(), what);
      assertEquals("", run.out(), what);
      assertTrue(run.err().startsWith("qcow2: ") && run.err().contains(cases[i + 1][0]),
          what + ": " + run.err());
      assertEquals(1, run.err().lines().count(), what + ": " + run.err());
    }
  }

  @Test
  void damagedFileSystemsAreOneLineOnStderr() throws IOException {
    // Byte offsets from the FAT boot sector and the ext4 superblock (at 1024) layouts.
    Object[][] damage = {
        {fat, 13, new byte[] {3}},                // sectors per cluster not a power of two
        {fat, 16, new byte[] {0}},                // no FAT at all
        {ext, 1024 + 24, new byte[] {30, 0}},     // s_log_block_size: 1 TiB blocks
        {ext, 1024 + 4, new byte[] {-1, -1, -1}}, // s_blocks_count_lo past the device
    };
    for (Object[] d : damage) {
      Path volume = (Path) d[0];
      Path copy = dir.resolve("damaged-" + volume.getFileName());
      byte[] bytes = Files.readAllBytes(volume);
      byte[] values = (byte[]) d[2];
      System.arraycopy(values, 0, bytes, (Integer) d[1], values.length);
      Files.write(copy, bytes);
      for (String[] args : new String[][] {{"ls", "-lR", copy.toString(), "/"},
          {"cat", copy.toString(), "/hello.txt"}}) {
        ToolRun run = ToolRun.of(args);
        String what = String.join(" ", args) + " at " + d[1];
        assertEquals(1, run.status(), what + ": " + run.out());
        assertTrue(run.err().startsWith("qcow2: " + copy + ": "), what + ": " + run.err());
        assertEquals(1, run.err().lines().count(), what + ": " + run.err());
        assertTrue(!run.err().contains("Exception"), what + ": " + run.err());
      }
    }
  }

  static byte[] catBytes(String image, String path) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true); PrintStream e = new PrintStream(err, true)) {
      status = Main.run(new String[] {"cat", image, path}, o, e);
    }
    assertEquals(0, status, () -> "cat " + image + " " + path + ": " + err);
    return out.toByteArray();
  }
}
