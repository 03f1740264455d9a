package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.DiskReads;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compares what our reader reads with what qemu-img convert reads, for one image. */
final class QemuOracle {
  private QemuOracle() {}

  /** The active disk of {@code image} must read exactly as qemu-img convert -O raw reads it. */
  static void assertReadsLikeQemu(Path image, Path scratch, String label) throws IOException {
    byte[] expected = Qemu.rawContents(image, scratch);
    try (Qcow2Image qcow2 = Qcow2Image.open(image)) {
      DiskReads.assertReadsLike(expected, qcow2.disk(), label);
    }
  }

  /** Snapshot {@code name}'s disk must read as {@code qemu-img convert -l snapshot.name=...}. */
  static void assertSnapshotReadsLikeQemu(Path image, String name, Path scratch, String label)
      throws IOException {
    Path raw = scratch.resolve(image.getFileName() + "." + name + ".raw");
    Qemu.img("convert", "-f", "qcow2", "-l", "snapshot.name=" + name, "-O", "raw",
        image.toString(), raw.toString());
    byte[] expected = Files.readAllBytes(raw);
    Files.delete(raw);
    try (Qcow2Image qcow2 = Qcow2Image.open(image)) {
      DiskReads.assertReadsLike(expected, qcow2.snapshotDisk(name), label + " snapshot " + name);
    }
  }
}
