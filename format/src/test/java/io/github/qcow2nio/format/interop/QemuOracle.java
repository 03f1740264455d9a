package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.testing.DiskReads;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compares what our reader reads with what qemu-img convert reads, for one image. */
final class QemuOracle {
  private QemuOracle() {}

  /**
   * The active disk of {@code image} must read exactly as qemu-img convert -O raw reads it: once
   * opened with the default L2 cache (every table fits), once with the smallest cache (two tables
   * a layer, so tables are evicted and reloaded all the time) read by several threads at once.
   */
  static void assertReadsLikeQemu(Path image, Path scratch, String label) throws IOException {
    byte[] expected = Qemu.rawContents(image, scratch);
    try (Qcow2Image qcow2 = Qcow2Image.open(image)) {
      assertMetadataLikeQemu(qcow2, image, label);
      DiskReads.assertReadsLike(expected, qcow2.disk(), label);
    }
    OpenOptions tinyCache = OpenOptions.builder().l2CacheBytes(1).build();
    try (Qcow2Image qcow2 = Qcow2Image.open(image, tinyCache)) {
      DiskReads.assertParallelReadsLike(expected, qcow2.disk(), label + ", tiny L2 cache", 3);
    }
  }

  /**
   * Snapshot {@code name}'s disk must read as {@code qemu-img convert -l snapshot.name=...} does,
   * and be {@code snapshotSize} bytes long (the size when the snapshot was taken).
   *
   * <p>qemu-img convert -l reads the snapshot's tables at the image's <em>current</em> size: after
   * the disk grew, its output is longer than the snapshot's disk, and what it holds past the
   * snapshot's size is not part of that disk. Our snapshot disk has the size the snapshot records,
   * so only that prefix is compared.
   */
  static void assertSnapshotReadsLikeQemu(Path image, String name, long snapshotSize,
      Path scratch, String label) throws IOException {
    assertSnapshotReadsLikeQemu(image, name, "snapshot.name=" + name, snapshotSize, scratch,
        label);
  }

  /**
   * As above, the snapshot found by {@code nameOrId} (as {@code Qcow2Image.snapshotDisk} takes
   * it) against the one qemu-img selects with {@code qemuSelection} ({@code snapshot.id=1}).
   */
  static void assertSnapshotReadsLikeQemu(Path image, String nameOrId, String qemuSelection,
      long snapshotSize, Path scratch, String label) throws IOException {
    Path raw = scratch.resolve(image.getFileName() + ".snapshot.raw");
    Qemu.img("convert", "-f", "qcow2", "-l", qemuSelection, "-O", "raw",
        image.toString(), raw.toString());
    byte[] converted = Files.readAllBytes(raw);
    Files.delete(raw);
    assertTrue(converted.length >= snapshotSize, label + " snapshot " + nameOrId
        + ": qemu-img converted " + converted.length + " bytes, less than " + snapshotSize);
    byte[] expected = Arrays.copyOf(converted, (int) snapshotSize);
    try (Qcow2Image qcow2 = Qcow2Image.open(image)) {
      DiskReads.assertReadsLike(expected, qcow2.snapshotDisk(nameOrId),
          label + " snapshot " + nameOrId);
    }
  }

  /**
   * {@code length} bytes of the disk at {@code offset}, as qemu-img reads them: for disks too big
   * to convert whole, a raw node with an offset and size over the qcow2 node is converted.
   */
  static byte[] qemuWindow(Path image, long offset, int length, Path scratch) throws IOException {
    Path raw = scratch.resolve(image.getFileName() + ".window.raw");
    String json = "json:{\"driver\":\"raw\",\"offset\":" + offset + ",\"size\":" + length
        + ",\"file\":{\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\",\"filename\":\""
        + image.toAbsolutePath() + "\"}}}";
    Qemu.img("convert", "-O", "raw", json, raw.toString());
    byte[] bytes = Files.readAllBytes(raw);
    Files.delete(raw);
    if (bytes.length != length) {
      throw new IOException("qemu-img converted " + bytes.length + " bytes of a " + length
          + "-byte window at " + offset + " of " + image);
    }
    return bytes;
  }

  /**
   * What the image says about itself must match {@code qemu-img info}: cluster size, version,
   * compression type, refcount width, feature flags, backing file name and format, data file,
   * and the snapshots' IDs and names, in order.
   */
  static void assertMetadataLikeQemu(Qcow2Image qcow2, Path image, String label)
      throws IOException {
    String info = Qemu.img("info", "--output=json", "-f", "qcow2", image.toString());
    Header h = qcow2.header();
    String what = label + ": qemu-img info " + image.getFileName() + "\n" + info + "\n";
    assertEquals(json(info, "cluster-size"), Optional.of(String.valueOf(h.clusterSize())),
        what + "cluster-size");
    assertEquals(json(info, "compat"), Optional.of(h.version() == 2 ? "0.10" : "1.1"),
        what + "compat");
    assertEquals(json(info, "backing-filename"), qcow2.backingFile(), what + "backing file");
    assertEquals(json(info, "backing-filename-format"), qcow2.backingFormat(),
        what + "backing format");
    assertEquals(json(info, "data-file"), qcow2.dataFileName(), what + "data file");
    if (h.version() >= 3) {
      assertEquals(json(info, "refcount-bits"), Optional.of(String.valueOf(h.refcountBits())),
          what + "refcount bits");
      assertEquals(json(info, "compression-type"),
          Optional.of(h.compressionType() == 0 ? "zlib" : "zstd"), what + "compression type");
      assertEquals(json(info, "lazy-refcounts"), Optional.of(String.valueOf(h.hasLazyRefcounts())),
          what + "lazy refcounts");
      assertEquals(json(info, "extended-l2"), Optional.of(String.valueOf(h.hasExtendedL2())),
          what + "extended L2");
      assertEquals(json(info, "corrupt"), Optional.of(String.valueOf(h.isCorrupt())),
          what + "corrupt");
    }
    if (h.hasExternalDataFile()) {
      assertEquals(json(info, "data-file-raw"), Optional.of(String.valueOf(h.isDataFileRaw())),
          what + "data file raw");
    }
    List<String> qemuSnapshots = new ArrayList<>();
    int at = info.indexOf("\"snapshots\": [");
    if (at >= 0) {
      // Snapshot entries hold no arrays: the first ']' closes the list.
      Matcher entry = Pattern.compile("\\{[^{}]*\\}")
          .matcher(info.substring(at, info.indexOf(']', at)));
      while (entry.find()) {
        String e = entry.group();
        qemuSnapshots.add(json(e, "id").orElse("?") + ":" + json(e, "name").orElse("?"));
      }
    }
    List<String> ours = new ArrayList<>();
    for (SnapshotEntry e : qcow2.snapshots()) {
      ours.add(e.id() + ":" + e.name());
    }
    assertEquals(qemuSnapshots, ours, what + "snapshots");
  }

  /** A scalar member of qemu-img's JSON (string, number or boolean), anywhere in it. */
  private static Optional<String> json(String info, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\"([^\"]*)\"|[0-9a-z.]+)")
        .matcher(info);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(m.group(2) != null ? m.group(2) : m.group(1));
  }
}
