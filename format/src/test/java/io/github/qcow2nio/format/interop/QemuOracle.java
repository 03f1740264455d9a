package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.DiskReads;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

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
      DiskReads.assertReadsLike(expected, qcow2.disk(), label);
    }
    try (Qcow2Image qcow2 = Qcow2Image.open(image, OpenOptions.readOnly().withL2CacheBytes(1))) {
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
}
