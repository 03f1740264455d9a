package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.partition.testing.Listing;
import io.github.qcow2nio.partition.testing.Tools;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables we create pass sfdisk --verify and sgdisk -v, and sfdisk --json lists exactly what we
 * made: on raw files, and on a qcow2 image's /disk converted back to raw by qemu-img.
 */
class CreationInteropTest {
  static final long MIB = 1 << 20;

  @TempDir
  Path dir;

  static final List<PartitionSpec> GPT_SPECS = List.of(
      PartitionSpec.of(2 * MIB, "efi").withName("EFI System"),
      PartitionSpec.of(5 * MIB, "linux").withName("root \u00e9t\u00e9")
          .withAttributes(1L | (1L << 60)),
      PartitionSpec.of(MIB, "swap").withAttributes(4),
      PartitionSpec.of(3 * MIB, "basic data").withName("data"),
      PartitionSpec.of(MIB, "8DA63339-0007-60C0-C436-083AC8230908").withName("custom type"),
      PartitionSpec.rest("linux").withName("rest"));

  static final List<PartitionSpec> MBR_SPECS = List.of(
      PartitionSpec.of(2 * MIB, "efi").withAttributes(0x80),
      PartitionSpec.of(3 * MIB, "83"),
      PartitionSpec.of(MIB, "0x0c"),
      PartitionSpec.of(2 * MIB, "swap"),
      PartitionSpec.of(MIB, "msdata"),
      PartitionSpec.rest("linux"));

  @Test
  void gptOnARawFile() throws IOException {
    Tools.assume("sfdisk", "sgdisk");
    Path raw = ToolDisks.sparse(dir.resolve("gpt.img"), 24 * MIB);
    PartitionTable made;
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      made = PartitionTables.createGpt(ch, 24 * MIB, 512, GPT_SPECS);
    }
    assertToolsAgree(raw, made, expectedGpt(GPT_SPECS, 24 * MIB));
  }

  /** The protective MBR is byte for byte the one sgdisk writes on a disk of the same size. */
  @Test
  void protectiveMbrIsTheOneSgdiskWrites() throws IOException {
    Tools.assume("sgdisk");
    for (long size : new long[] {24 * MIB, 9000L * MIB}) {
      Path theirs = ToolDisks.sparse(dir.resolve("sgdisk-" + size + ".img"), size);
      Tools.ok("sgdisk", "-o", theirs.toString());
      Path ours = ToolDisks.sparse(dir.resolve("ours-" + size + ".img"), size);
      try (FileChannel ch = FileChannel.open(ours, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        PartitionTables.createGpt(ch, size, 512, List.of(PartitionSpec.rest("linux")));
      }
      byte[] a = java.util.Arrays.copyOf(ToolDisks.slice(theirs, 0, 512), 512);
      byte[] b = java.util.Arrays.copyOf(ToolDisks.slice(ours, 0, 512), 512);
      assertEquals(java.util.HexFormat.of().formatHex(a, 440, 512),
          java.util.HexFormat.of().formatHex(b, 440, 512), "sector 0 from byte 440, " + size);
    }
  }

  /** MBR entries, CHS values included, are byte for byte sfdisk's for the same layout. */
  @Test
  void mbrEntriesAreTheOnesSfdiskWrites() throws IOException {
    Tools.assume("sfdisk");
    for (long size : new long[] {24 * MIB, 9000L * MIB}) {
      long big = size / 2 / MIB;
      Path theirs = ToolDisks.sparse(dir.resolve("sfdisk-" + size + ".img"), size);
      Tools.okWithInput("label: dos\nsize=" + big + "MiB, type=83, bootable\n"
          + "size=1MiB, type=c\ntype=82\n", "sfdisk", "-q", theirs.toString());
      Path ours = ToolDisks.sparse(dir.resolve("ours-mbr-" + size + ".img"), size);
      try (FileChannel ch = FileChannel.open(ours, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        PartitionTables.createMbr(ch, size, 512, List.of(
            PartitionSpec.of(big * MIB, "83").withAttributes(0x80), PartitionSpec.of(MIB, "c"),
            PartitionSpec.rest("82")));
      }
      assertEquals(java.util.HexFormat.of().formatHex(ToolDisks.slice(theirs, 446, 66)),
          java.util.HexFormat.of().formatHex(ToolDisks.slice(ours, 446, 66)),
          "MBR entries, disk of " + size);
    }
  }

  /** With logical partitions: the MBR and every EBR are byte for byte sfdisk's. */
  @Test
  void ebrChainIsTheOneSfdiskWrites() throws IOException {
    Tools.assume("sfdisk");
    long size = 24 * MIB;
    Path theirs = ToolDisks.sparse(dir.resolve("sfdisk-ebr.img"), size);
    Tools.okWithInput("label: dos\nsize=2MiB, type=83\nsize=1MiB, type=83\nsize=1MiB, type=c\n"
        + "type=f\nsize=3MiB, type=83\nsize=1MiB, type=82\ntype=7\n",
        "sfdisk", "-q", theirs.toString());
    Path ours = ToolDisks.sparse(dir.resolve("ours-ebr.img"), size);
    PartitionTable made;
    try (FileChannel ch = FileChannel.open(ours, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      made = PartitionTables.createMbr(ch, size, 512, List.of(PartitionSpec.of(2 * MIB, "83"),
          PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB, "c"), PartitionSpec.of(3 * MIB, "83"),
          PartitionSpec.of(MIB, "82"), PartitionSpec.rest("7")));
    }
    java.util.HexFormat hex = java.util.HexFormat.of();
    assertEquals(hex.formatHex(ToolDisks.slice(theirs, 446, 66)),
        hex.formatHex(ToolDisks.slice(ours, 446, 66)), "MBR entries");
    for (Partition p : made.partitions()) {
      if (p.kind() == Partition.Kind.LOGICAL) {
        long ebr = p.start() - MIB;
        assertEquals(hex.formatHex(ToolDisks.slice(theirs, ebr + 446, 66)),
            hex.formatHex(ToolDisks.slice(ours, ebr + 446, 66)), "EBR of " + p.number());
      }
    }
  }

  @Test
  void mbrWithLogicalsOnARawFile() throws IOException {
    Tools.assume("sfdisk");
    Path raw = ToolDisks.sparse(dir.resolve("mbr.img"), 24 * MIB);
    PartitionTable made;
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      made = PartitionTables.createMbr(ch, 24 * MIB, 512, MBR_SPECS);
    }
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7),
        made.partitions().stream().map(Partition::number).toList());
    assertEquals(Partition.Kind.EXTENDED, made.partition(4).orElseThrow().kind());
    assertToolsAgree(raw, made, expectedMbr(MBR_SPECS, 24 * MIB));
  }

  @Test
  void mbrWithPrimariesOnlyOnARawFile() throws IOException {
    Tools.assume("sfdisk");
    Path raw = ToolDisks.sparse(dir.resolve("mbr4.img"), 12 * MIB);
    PartitionTable made;
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      made = PartitionTables.createMbr(ch, 12 * MIB, 512, MBR_SPECS.subList(0, 3));
    }
    assertToolsAgree(raw, made, expectedMbr(MBR_SPECS.subList(0, 3), 12 * MIB));
  }

  /** Written through the qcow2 provider's /disk, checked on what qemu-img converts it to. */
  @Test
  void gptAndMbrOnAQcow2Disk() throws IOException {
    Tools.assume("sfdisk", "sgdisk", "qemu-img");
    for (String scheme : new String[] {"gpt", "mbr"}) {
      Path image = dir.resolve(scheme + ".qcow2");
      PartitionTable made;
      // By URI: zipfs would take create=true on a path for itself.
      try (FileSystem qcow2 = FileSystems.newFileSystem(
          java.net.URI.create("qcow2:" + image.toUri()),
          Map.of("create", "true", "size", Long.toString(24 * MIB)));
          FileChannel disk = FileChannel.open(qcow2.getPath("/disk"), StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
        made = scheme.equals("gpt") ? PartitionTables.createGpt(disk, 24 * MIB, 512, GPT_SPECS)
            : PartitionTables.createMbr(disk, 24 * MIB, 512, MBR_SPECS);
      }
      Path raw = dir.resolve(scheme + ".raw");
      Tools.ok("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(),
          raw.toString());
      assertToolsAgree(raw, made, scheme.equals("gpt") ? expectedGpt(GPT_SPECS, 24 * MIB)
          : expectedMbr(MBR_SPECS, 24 * MIB));
      try (FileSystem qcow2 = FileSystems.newFileSystem(image);
          FileSystem fs = FileSystems.newFileSystem(qcow2.getPath("/disk"))) {
        assertEquals(made, ((PartitionFileSystem) fs).table());
      }
    }
  }

  private static void assertToolsAgree(Path raw, PartitionTable made,
      List<Listing.Row> expected) throws IOException {
    Tools.Result verify = Tools.run(List.of("sfdisk", "--verify", raw.toString()), null);
    assertEquals(0, verify.exitCode(), verify.stdout() + verify.stderr());
    assertTrue(verify.stdout().contains("No errors detected"), verify.stdout());
    if (made.scheme() == PartitionTable.Scheme.GPT) {
      Tools.Result v = Tools.run(List.of("sgdisk", "-v", raw.toString()), null);
      assertEquals(0, v.exitCode(), v.stdout() + v.stderr());
      assertTrue(v.stdout().contains("No problems found"), v.stdout());
      assertTrue(!v.stdout().toLowerCase(Locale.ROOT).contains("warning"), v.stdout());
    }
    List<Listing.Row> listed = Listing.sfdisk(raw);
    assertEquals(withoutUuids(expected), withoutUuids(listed), "sfdisk --json against the specs");
    assertEquals(made.diskId(), Listing.sfdiskId(raw));
    try (FileSystem fs = FileSystems.newFileSystem(raw)) {
      assertEquals(made, ((PartitionFileSystem) fs).table());
      assertEquals(listed, Listing.of(fs), "our listing against sfdisk's, GUIDs included");
    }
  }

  private static List<Listing.Row> withoutUuids(List<Listing.Row> rows) {
    return rows.stream().map(r -> new Listing.Row(r.number(), r.start(), r.size(), r.type(), "",
        r.name(), r.attrs(), r.bootable())).toList();
  }

  // What the specs ask for, laid out here by the rule sfdisk and sgdisk follow (every start on
  // a 1 MiB boundary = 2048 sectors), independently of the writer and reader under test.

  static final Map<String, String> GPT_TYPES = Map.of(
      "efi", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
      "linux", "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
      "swap", "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F",
      "basic data", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
  static final Map<String, String> MBR_TYPES = Map.of(
      "efi", "EF", "83", "83", "0x0c", "C", "swap", "82", "msdata", "7", "linux", "83");

  static long alignUp(long lba) {
    return (lba + 2047) / 2048 * 2048;
  }

  static List<Listing.Row> expectedGpt(List<PartitionSpec> specs, long diskSize) {
    long lastUsable = diskSize / 512 - 34;
    List<Listing.Row> rows = new ArrayList<>();
    long next = 34;
    for (int i = 0; i < specs.size(); i++) {
      PartitionSpec s = specs.get(i);
      long start = alignUp(next);
      long end = s.size() == PartitionSpec.REST ? (lastUsable + 1) / 2048 * 2048 - 1
          : start + s.size() / 512 - 1;
      rows.add(new Listing.Row(i + 1, start, end - start + 1,
          GPT_TYPES.getOrDefault(s.type(), s.type()).toUpperCase(Locale.ROOT), "", s.name(),
          Listing.attrs(s.attributes()), false));
      next = end + 1;
    }
    return rows;
  }

  static List<Listing.Row> expectedMbr(List<PartitionSpec> specs, long diskSize) {
    long last = diskSize / 512 - 1;
    List<Listing.Row> rows = new ArrayList<>();
    List<Listing.Row> logicals = new ArrayList<>();
    long next = 1;
    long extendedStart = -1;
    for (int i = 0; i < specs.size(); i++) {
      PartitionSpec s = specs.get(i);
      boolean logical = specs.size() > 4 && i >= 3;
      long ebr = alignUp(next);
      if (logical && extendedStart < 0) {
        extendedStart = ebr;
      }
      long start = logical ? ebr + 2048 : alignUp(next);
      long end = s.size() == PartitionSpec.REST ? last : start + s.size() / 512 - 1;
      Listing.Row row = new Listing.Row(logical ? 5 + logicals.size() : i + 1, start,
          end - start + 1, MBR_TYPES.get(s.type()), "", "", "", s.attributes() == 0x80);
      (logical ? logicals : rows).add(row);
      next = end + 1;
    }
    if (extendedStart >= 0) {
      rows.add(new Listing.Row(4, extendedStart, last - extendedStart + 1, "F", "", "", "",
          false));
    }
    rows.addAll(logicals);
    return rows;
  }
}
