package io.github.qcow2nio.partition;

import io.github.qcow2nio.partition.testing.Listing;
import io.github.qcow2nio.partition.testing.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

/**
 * Disks partitioned by sfdisk and sgdisk, the way a user would, with seeded bytes written at
 * the start, the middle and the end of every partition so that reading the wrong place shows.
 */
final class ToolDisks {
  static final long MIB = 1 << 20;

  private ToolDisks() {}

  /** MBR: two primaries (one bootable), an extended partition with three logicals, a primary. */
  static Path sfdiskMbr(Path dir, long size) throws IOException {
    Path disk = sparse(dir.resolve("sfdisk-mbr.img"), size);
    Tools.okWithInput("label: dos\n"
        + "size=2MiB, type=83, bootable\n"
        + "size=1MiB, type=c\n"
        + "size=9MiB, type=5\n"
        + "size=1MiB, type=83\n"
        + "size=1MiB, type=82\n"
        + "size=2MiB, type=7\n"
        + "size=1MiB, type=83\n", "sfdisk", "-q", disk.toString());
    return fill(disk, Listing.sfdisk(disk), 512);
  }

  /** GPT by sfdisk: names, types by shortcut, the rest of the disk last. */
  static Path sfdiskGpt(Path dir, long size) throws IOException {
    Path disk = sparse(dir.resolve("sfdisk-gpt.img"), size);
    Tools.okWithInput("label: gpt\n"
        + "size=2MiB, type=U, name=\"EFI system\"\n"
        + "size=3MiB, type=L, name=\"root fs\", attrs=\"RequiredPartition GUID:60\"\n"
        + "size=1MiB, type=S\n"
        + "type=L, name=rest\n", "sfdisk", "-q", disk.toString());
    return fill(disk, Listing.sfdisk(disk), 512);
  }

  /** GPT by sgdisk: many partitions, names, types, attribute bits, a gap left empty. */
  static Path sgdiskMany(Path dir, long size, int count) throws IOException {
    Path disk = sparse(dir.resolve("sgdisk-many.img"), size);
    List<String> cmd = new java.util.ArrayList<>(List.of("sgdisk"));
    String[] codes = {"8300", "ef00", "0700", "8200", "ef02"};
    for (int i = 1; i <= count; i++) {
      int slot = i <= 3 ? i : i + 2; // slots 4 and 5 left empty: numbers follow entry indices
      cmd.add("-n" + slot + ":0:+1M");
      cmd.add("-t" + slot + ":" + codes[i % codes.length]);
      cmd.add("-c" + slot + ":part " + i + " \u00e9t\u00e9");
      if (i % 3 == 0) {
        cmd.add("-A" + slot + ":set:2");
      }
      if (i % 4 == 0) {
        cmd.add("-A" + slot + ":set:" + (48 + i % 16));
      }
      if (i % 5 == 0) {
        cmd.add("-A" + slot + ":set:0");
      }
    }
    cmd.add(disk.toString());
    Tools.ok(cmd.toArray(String[]::new));
    return fill(disk, Listing.sfdisk(disk), 512);
  }

  static Path sparse(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.truncate(size);
      ch.write(ByteBuffer.allocate(1), size - 1);
    }
    return file;
  }

  /** Writes 4 KiB of seeded bytes at the start, middle and end of each partition. */
  static Path fill(Path disk, List<Listing.Row> rows, int sectorSize) throws IOException {
    Random r = new Random(rows.size() * 31L + sectorSize);
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
      for (Listing.Row row : rows) {
        if (row.type().equals("5") || row.type().equals("F") || row.type().equals("85")) {
          continue; // the extended partition holds the EBRs
        }
        long start = row.start() * sectorSize;
        long size = row.size() * sectorSize;
        for (long at : new long[] {start, start + size / 2, start + size - 4096}) {
          byte[] b = new byte[4096];
          r.nextBytes(b);
          ch.write(ByteBuffer.wrap(b), at);
        }
      }
    }
    return disk;
  }

  /** The bytes of a partition, from the raw file. */
  static byte[] slice(Path raw, long start, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(raw)) {
      ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
      while (b.hasRemaining() && ch.read(b, start + b.position()) >= 0) {
        // read to the end
      }
      return b.array();
    }
  }

  /** All of a partition through the file system, read in odd-sized chunks. */
  static byte[] readAll(Path partition) throws IOException {
    try (FileChannel ch = FileChannel.open(partition)) {
      ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(ch.size()));
      ByteBuffer chunk = ByteBuffer.allocate(12345);
      while (true) {
        chunk.clear();
        int n = ch.read(chunk);
        if (n < 0) {
          break;
        }
        chunk.flip();
        b.put(chunk);
      }
      if (b.hasRemaining()) {
        throw new IOException(partition + " read " + b.position() + " of " + ch.size());
      }
      return b.array();
    }
  }

  static byte[] readAll(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(ch.size()));
    while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
      // positional reads to the end
    }
    return b.array();
  }
}
