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
    assertToolsAgree(raw, made);
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
    assertToolsAgree(raw, made);
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
    assertToolsAgree(raw, made);
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
      assertToolsAgree(raw, made);
      try (FileSystem qcow2 = FileSystems.newFileSystem(image);
          FileSystem fs = FileSystems.newFileSystem(qcow2.getPath("/disk"))) {
        assertEquals(made, ((PartitionFileSystem) fs).table());
      }
    }
  }

  private static void assertToolsAgree(Path raw, PartitionTable made) throws IOException {
    Tools.Result verify = Tools.run(List.of("sfdisk", "--verify", raw.toString()), null);
    assertEquals(0, verify.exitCode(), verify.stdout() + verify.stderr());
    assertTrue(verify.stdout().contains("No errors detected"), verify.stdout());
    if (made.scheme() == PartitionTable.Scheme.GPT) {
      Tools.Result v = Tools.run(List.of("sgdisk", "-v", raw.toString()), null);
      assertEquals(0, v.exitCode(), v.stdout() + v.stderr());
      assertTrue(v.stdout().contains("No problems found"), v.stdout());
      assertTrue(!v.stdout().toLowerCase(Locale.ROOT).contains("warning"), v.stdout());
    }
    assertEquals(expectedRows(made), Listing.sfdisk(raw));
    assertEquals(made.diskId(), Listing.sfdiskId(raw));
    try (FileSystem fs = FileSystems.newFileSystem(raw)) {
      assertEquals(made, ((PartitionFileSystem) fs).table());
      assertEquals(expectedRows(made), Listing.of(fs));
    }
  }

  /** What we asked for, in sfdisk's terms: taken from the specs, not from our reader. */
  private static List<Listing.Row> expectedRows(PartitionTable made) {
    List<Listing.Row> rows = new ArrayList<>();
    for (Partition p : made.partitions()) {
      rows.add(new Listing.Row(p.number(), p.firstLba(), p.lastLba() - p.firstLba() + 1,
          p.type().toUpperCase(Locale.ROOT),
          p.uniqueGuid() == null ? "" : p.uniqueGuid().toString().toUpperCase(Locale.ROOT),
          p.name(), p.kind() == Partition.Kind.GPT ? Listing.attrs(p.attributes()) : "",
          p.bootable()));
    }
    return rows;
  }
}
