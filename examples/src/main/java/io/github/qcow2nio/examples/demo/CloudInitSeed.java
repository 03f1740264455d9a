package io.github.qcow2nio.examples.demo;

import io.github.qcow2nio.fat.FatFormatter;
import io.github.qcow2nio.fat.FatType;
import io.github.qcow2nio.fat.FormatOptions;
import io.github.qcow2nio.partition.PartitionSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Builds a cloud-init NoCloud seed disk entirely in Java: a qcow2 overlay on a raw base image,
 * one GPT partition, a FAT volume labelled {@code CIDATA} (NoCloud finds its seed by that label)
 * holding {@code user-data} and {@code meta-data}; then reopens it read-only and prints both
 * files. Usage: {@code CloudInitSeed [DIRECTORY]} (default: a new temporary directory); it writes
 * {@code base.raw} and {@code seed.qcow2} there.
 */
public final class CloudInitSeed {
  /** Small: the seed holds two short files; 32 MiB still leaves room for a FAT16 volume. */
  static final long DISK_SIZE = 32L << 20;
  public static final String LABEL = "CIDATA";
  public static final String USER_DATA = String.join("\n",
      "#cloud-config",
      "hostname: qcow2-nio-demo",
      "users:",
      "  - name: demo",
      "    sudo: ALL=(ALL) NOPASSWD:ALL",
      "    shell: /bin/bash",
      "",
      "");
  public static final String META_DATA = String.join("\n",
      "instance-id: iid-qcow2-nio-demo",
      "local-hostname: qcow2-nio-demo",
      "");

  private CloudInitSeed() {}

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("cidata");
    Files.createDirectories(dir);
    Path seed = build(dir, System.out);
    printBack(seed, System.out);
  }

  /** Makes base.raw and seed.qcow2 in {@code dir}; returns the seed image's path. */
  public static Path build(Path dir, PrintStream log) throws IOException {
    // The base: an empty raw disk, sparse on hosts that allow it.
    Path base = dir.resolve("base.raw");
    try (FileChannel ch = FileChannel.open(base, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), DISK_SIZE - 1);
    }
    // The overlay takes its size from the base and keeps every write of its own.
    Path seed = dir.resolve("seed.qcow2");
    try (FileSystem image = FileSystems.newFileSystem(URI.create("qcow2:" + seed.toUri()),
        Map.of("create", "true", "backingFile", "base.raw", "backingFormat", "raw"));
        // The disk has no table yet, so the partition provider is named by its scheme and
        // told to create one: GPT, one partition over the whole usable space.
        FileSystem disk = FileSystems.newFileSystem(
            URI.create("partition:" + image.getPath("/disk").toUri()),
            Map.of("create", "gpt", "partitions",
                List.of(PartitionSpec.rest("basic data").withName("cidata"))))) {
      Path partition = disk.getPath("/1");
      FatType type;
      try (FileChannel ch = FileChannel.open(partition, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        type = FatFormatter.format(ch, ch.size(), null,
            FormatOptions.defaults().withLabel(LABEL));
      }
      try (FileSystem fat = FileSystems.newFileSystem(partition)) {
        Files.writeString(fat.getPath("/user-data"), USER_DATA, StandardCharsets.UTF_8);
        Files.writeString(fat.getPath("/meta-data"), META_DATA, StandardCharsets.UTF_8);
      }
      log.println("made " + seed + ": qcow2 over " + base.getFileName() + ", GPT partition 1, "
          + type + " labelled " + LABEL);
    }
    return seed;
  }

  /** Reopens the seed read-only, every layer, and prints the two files and the label. */
  public static void printBack(Path seed, PrintStream out) throws IOException {
    Map<String, String> readOnly = Map.of("accessMode", "readOnly");
    try (FileSystem image = FileSystems.newFileSystem(seed, readOnly);
        FileSystem disk = FileSystems.newFileSystem(image.getPath("/disk"), readOnly);
        FileSystem fat = FileSystems.newFileSystem(disk.getPath("/1"), readOnly)) {
      out.println("volume label: " + Files.getFileStore(fat.getPath("/")).name());
      for (String name : List.of("meta-data", "user-data")) {
        out.println("--- " + name);
        out.print(Files.readString(fat.getPath("/" + name), StandardCharsets.UTF_8));
      }
    }
  }
}
