package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Disk images made by the real tools: a FAT16 volume (mkfs.fat, filled by mmd/mcopy), an ext4
 * file system (mkfs.ext4 -d) and a 64 MiB disk whose table sfdisk wrote (partition 1 the FAT
 * volume, partition 2 the ext4 one), as a raw file and converted by qemu-img.
 */
final class DiskFixtures {
  static final long DISK_SIZE = 64L << 20;

  /** The files both file systems hold: path to bytes. */
  static Map<String, byte[]> files() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("/hello.txt", "hello, world\n".getBytes(StandardCharsets.UTF_8));
    m.put("/A long name.txt", "a name longer than 8.3\n".getBytes(StandardCharsets.UTF_8));
    m.put("/empty", new byte[0]);
    byte[] data = new byte[300_000];
    new Random(11).nextBytes(data);
    m.put("/dir/sub/data.bin", data);
    m.put("/dir/note.TXT", "upper case extension\n".getBytes(StandardCharsets.UTF_8));
    return m;
  }

  private DiskFixtures() {}

  /** The files of {@link #files()} under {@code root} on the host, with fixed times. */
  static Path tree(Path root) throws IOException {
    FileTime t = FileTime.from(Instant.parse("2024-03-05T10:20:30Z"));
    for (Map.Entry<String, byte[]> e : files().entrySet()) {
      Path p = root.resolve(e.getKey().substring(1));
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
      Files.setLastModifiedTime(p, t);
    }
    return root;
  }

  /** A 20 MiB FAT16 volume made by mkfs.fat and filled by mtools. */
  static Path fatVolume(Path dir, String name) throws IOException {
    Path tree = tree(dir.resolve(name + "-tree"));
    Path img = dir.resolve(name);
    HostTools.ok("mkfs.fat", "-C", "-F", "16", "-n", "DATA", img.toString(), "20480");
    HostTools.ok("mmd", "-i", img.toString(), "::/dir", "::/dir/sub");
    for (String f : files().keySet()) {
      HostTools.ok("mcopy", "-m", "-i", img.toString(), tree.resolve(f.substring(1)).toString(),
          "::" + f);
    }
    HostTools.ok("mattrib", "-i", img.toString(), "+r", "::/empty");
    return img;
  }

  /** A 16 MiB ext4 file system made by mkfs.ext4 -d from the files and a symbolic link. */
  static Path extVolume(Path dir, String name) throws IOException {
    Path tree = tree(dir.resolve(name + "-tree"));
    Files.createSymbolicLink(tree.resolve("link"), Path.of("dir/sub/data.bin"));
    // Modes ls -l must spell as ls does: setuid, setgid without group x, sticky.
    Files.writeString(tree.resolve("dir/suid"), "#!/bin/sh\n");
    HostTools.ok("chmod", "4755", tree.resolve("dir/suid").toString());
    Files.writeString(tree.resolve("dir/sgid"), "");
    HostTools.ok("chmod", "2644", tree.resolve("dir/sgid").toString());
    Files.createDirectory(tree.resolve("dir/tmp"));
    HostTools.ok("chmod", "1777", tree.resolve("dir/tmp").toString());
    Path img = dir.resolve(name);
    HostTools.ok("mkfs.ext4", "-q", "-F", "-b", "1024", "-d", tree.toString(), img.toString(),
        "16M");
    return img;
  }

  /**
   * A 64 MiB raw disk: sfdisk writes the table ({@code label} "gpt" or "dos"), then the FAT
   * volume is copied into partition 1 and the ext4 one into partition 2.
   */
  static Path partitionedDisk(Path dir, String label, Path fat, Path ext) throws IOException {
    Path disk = dir.resolve("disk-" + label + ".raw");
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), DISK_SIZE - 1);
    }
    String script = "label: " + label + "\nsize=20MiB, type=" + (label.equals("gpt") ? "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" : "c")
        + "\nsize=16MiB, type=" + (label.equals("gpt") ? "L" : "83") + "\n";
    HostTools.Result r = HostTools.run(script.getBytes(StandardCharsets.US_ASCII), "sfdisk",
        "-q", disk.toString());
    if (r.status() != 0) {
      throw new AssertionError("sfdisk failed: " + r.err());
    }
    copyInto(disk, fat, partitionStart(disk, 1));
    copyInto(disk, ext, partitionStart(disk, 2));
    return disk;
  }

  /** Partition {@code n}'s first byte, as sfdisk reports it. */
  static long partitionStart(Path disk, int n) {
    return partitionField(disk, n, "start") * 512;
  }

  /** Partition {@code n}'s length in bytes, as sfdisk reports it. */
  static long partitionSize(Path disk, int n) {
    return partitionField(disk, n, "size") * 512;
  }

  private static long partitionField(Path disk, int n, String field) {
    String json = HostTools.ok("sfdisk", "--json", disk.toString());
    Matcher m = Pattern.compile("\"node\": \"[^\"]*?" + n + "\",\\s*\"start\": (\\d+),\\s*"
        + "\"size\": (\\d+)").matcher(json);
    if (!m.find()) {
      throw new AssertionError("sfdisk lists no partition " + n + ":\n" + json);
    }
    return Long.parseLong(field.equals("start") ? m.group(1) : m.group(2));
  }

  /** Copies partition {@code n} of a raw disk out to a file of its own (fsck.fat needs one). */
  static Path extract(Path disk, int n, Path to) throws IOException {
    long start = partitionStart(disk, n);
    long size = partitionSize(disk, n);
    try (FileChannel in = FileChannel.open(disk);
        FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      long done = 0;
      while (done < size) {
        done += in.transferTo(start + done, size - done, out);
      }
    }
    return to;
  }

  static void copyInto(Path disk, Path volume, long offset) throws IOException {
    try (FileChannel in = FileChannel.open(volume);
        FileChannel out = FileChannel.open(disk, StandardOpenOption.WRITE)) {
      long size = in.size();
      long done = 0;
      while (done < size) {
        done += in.transferTo(done, size - done, out.position(offset + done));
      }
    }
  }

  /** {@code qemu-img convert} of a raw disk to qcow2 ({@code -c}: compressed clusters). */
  static Path toQcow2(Path raw, String name, boolean compressed) {
    Path q = raw.resolveSibling(name);
    if (compressed) {
      HostTools.ok("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", raw.toString(),
          q.toString());
    } else {
      HostTools.ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
          q.toString());
    }
    return q;
  }

  /** An empty qcow2 overlay on {@code base} (its backing file, named relative). */
  static Path overlay(Path base, String name) {
    Path q = base.resolveSibling(name);
    HostTools.ok("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.getFileName().toString(),
        "-F", "qcow2", q.toString());
    return q;
  }

  static Path toRaw(Path qcow2, String name) {
    Path r = qcow2.resolveSibling(name);
    HostTools.ok("qemu-img", "convert", "-O", "raw", qcow2.toString(), r.toString());
    return r;
  }

  /** An empty disk of {@code size} ("64M"): a sparse raw file, or a qcow2 image qemu-img made. */
  static Path emptyDisk(Path dir, String kind, String size) throws IOException {
    if (kind.equals("raw")) {
      Path raw = dir.resolve("empty.raw");
      try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.allocate(1), (Long.parseLong(size.replace("M", "")) << 20) - 1);
      }
      return raw;
    }
    Path q = dir.resolve("empty.qcow2");
    HostTools.ok("qemu-img", "create", "-q", "-f", "qcow2", q.toString(), size);
    return q;
  }

  /** The image as raw bytes in a file; a qcow2 image must pass qemu-img check first. */
  static Path checkedRaw(Path image) {
    if (image.toString().endsWith(".raw")) {
      return image;
    }
    String check = HostTools.ok("qemu-img", "check", image.toString());
    if (!check.contains("No errors were found on the image.")) {
      throw new AssertionError("qemu-img check: " + check);
    }
    return toRaw(image, image.getFileName() + ".out.raw");
  }
}
