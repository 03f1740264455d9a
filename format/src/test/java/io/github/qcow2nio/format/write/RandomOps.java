package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.CompressingDisk;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded random operations against a disk and an in-memory model of what it must read: writes of
 * every size and alignment, zero writes, discards, reads, resizes, reopens.
 */
final class RandomOps {
  /** Opens the image under test again (after a close). */
  interface Opener {
    Qcow2Image open() throws IOException;
  }

  private final Random rnd;
  private final int clusterSize;
  private final int unit;
  private final boolean resizable;
  private final long maxSize;
  byte[] model;
  /** Every range written, zeroed or discarded ({offset, length}), in order. */
  final List<long[]> changes = new java.util.ArrayList<>();
  int ops;
  int writes;
  int zeros;
  int discards;
  int reads;
  int resizes;
  int reopens;
  /** Send a third of the writes through QEMU's compress filter ({@link CompressingDisk}). */
  boolean compressedWrites;
  int filterWrites;
  /** Clusters found stored compressed right after a filter write. */
  long compressedClusters;
  private CompressingDisk filter;
  /** Snapshot operations, when the configuration has them (null otherwise). */
  RandomSnapshots snapshots;

  RandomOps(long seed, byte[] initial, int clusterSize, int unit, boolean resizable,
      long maxSize) {
    this.rnd = new Random(seed);
    this.model = initial.clone();
    this.clusterSize = clusterSize;
    this.unit = unit;
    this.resizable = resizable;
    this.maxSize = maxSize;
  }

  /** Runs {@code n} operations; returns the image, open, after the last one. */
  Qcow2Image run(Qcow2Image image, Opener opener, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      if (snapshots != null && rnd.nextInt(100) < 3) {
        snapshots.step(image, this, rnd);
        ops++;
        continue;
      }
      int kind = rnd.nextInt(100);
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      long size = model.length;
      if (kind < 45 && compressedWrites && size > 0 && rnd.nextInt(3) == 0) {
        // Mostly whole clusters: those to unallocated clusters are stored compressed.
        long[] r = rnd.nextInt(4) == 0 ? range(size) : new long[] {
            (long) rnd.nextInt((int) Math.max(1, size / clusterSize)) * clusterSize,
            (long) (1 + rnd.nextInt(3)) * clusterSize};
        r[1] = Math.max(1, Math.min(r[1], size - r[0]));
        byte[] data = CompressedImages.compressible(rnd, (int) r[1], 1024);
        if (filter == null || filter.disk() != disk) {
          closeFilter();
          filter = new CompressingDisk(disk, 2);
        }
        filter.write(ByteBuffer.wrap(data), r[0]);
        changes.add(r);
        System.arraycopy(data, 0, model, (int) r[0], data.length);
        for (long c = r[0] / clusterSize * clusterSize; c < r[0] + r[1]; c += clusterSize) {
          if (disk.blockStatus(c, 1).type() == ClusterType.COMPRESSED) {
            compressedClusters++;
          }
        }
        filterWrites++;
      } else if (kind < 45) {
        long[] r = range(size);
        byte[] data = new byte[(int) r[1]];
        rnd.nextBytes(data);
        if (rnd.nextInt(8) == 0) {
          Arrays.fill(data, (byte) 0);
        }
        disk.write(ByteBuffer.wrap(data), r[0]);
        changes.add(r);
        System.arraycopy(data, 0, model, (int) r[0], data.length);
        writes++;
      } else if (kind < 55) {
        long[] r = range(size);
        disk.writeZeros(r[0], r[1]);
        changes.add(r);
        Arrays.fill(model, (int) r[0], (int) (r[0] + r[1]), (byte) 0);
        zeros++;
      } else if (kind < 63) {
        long[] r = range(size);
        disk.discard(r[0], r[1]);
        changes.add(r);
        applyDiscard(r[0], r[1]);
        discards++;
      } else if (kind < 85) {
        long[] r = range(size);
        check(disk, r[0], (int) r[1]);
        reads++;
      } else if (kind < 90 && resizable) {
        long newSize = Math.max(0, Math.min(maxSize,
            (size + (rnd.nextInt(2 * (int) (maxSize / 4)) - maxSize / 4)) & ~511L));
        if (rnd.nextBoolean()) {
          newSize = newSize / clusterSize * clusterSize;
        }
        if (snapshots != null && snapshots.refusesResize(size, newSize)) {
          continue;
        }
        disk.resize(newSize, true);
        model = Arrays.copyOf(model, (int) newSize);
        resizes++;
      } else if (kind < 93) {
        disk.flush();
      } else if (kind < 95) {
        image.close();
        image = opener.open();
        reopens++;
      } else {
        // A long read across everything.
        check(image.disk(), 0, model.length);
        reads++;
      }
      ops++;
    }
    check(image.disk(), 0, model.length);
    closeFilter();
    return image;
  }

  private void closeFilter() {
    if (filter != null) {
      filter.close();
      filter = null;
    }
  }

  private void applyDiscard(long off, long len) {
    long end = off + len;
    long size = model.length;
    for (long c = (off + clusterSize - 1) / clusterSize * clusterSize; c < end;
        c += clusterSize) {
      long cEnd = Math.min(c + clusterSize, size);
      if (cEnd <= end) {
        Arrays.fill(model, (int) c, (int) cEnd, (byte) 0);
      }
    }
    // A range that starts inside the last cluster but covers it to the end of the disk.
  }

  private long[] range(long size) {
    if (size == 0) {
      return new long[] {0, 0};
    }
    long off;
    long len;
    switch (rnd.nextInt(6)) {
      case 0 -> { // cluster aligned
        off = (long) rnd.nextInt((int) Math.max(1, size / clusterSize)) * clusterSize;
        len = (long) (1 + rnd.nextInt(3)) * clusterSize;
      }
      case 1 -> { // subcluster aligned
        off = (long) rnd.nextInt((int) Math.max(1, size / unit)) * unit;
        len = (long) (1 + rnd.nextInt(5)) * unit;
      }
      case 2 -> { // sector aligned
        off = (long) rnd.nextInt((int) (size / 512)) * 512;
        len = (long) (1 + rnd.nextInt(16)) * 512;
      }
      case 3 -> { // tiny
        off = rnd.nextInt((int) size);
        len = 1 + rnd.nextInt(16);
      }
      case 4 -> { // to the end of the disk
        off = rnd.nextInt((int) size);
        len = size - off;
        len = Math.min(len, 4L * clusterSize + rnd.nextInt(clusterSize));
      }
      default -> { // anything
        off = rnd.nextInt((int) size);
        len = 1 + rnd.nextInt(3 * clusterSize);
      }
    }
    off = Math.min(off, size - 1);
    len = Math.max(1, Math.min(len, size - off));
    len = Math.min(len, 8 << 20);
    return new long[] {off, len};
  }

  void check(VirtualDisk disk, long off, int len) throws IOException {
    assertEquals(model.length, disk.size(), "disk size");
    ByteBuffer b = ByteBuffer.allocate(len);
    if (len > 0) {
      assertEquals(len, disk.read(b, off));
    }
    byte[] expected = Arrays.copyOfRange(model, (int) off, (int) off + len);
    if (!Arrays.equals(expected, b.array())) {
      int i = Arrays.mismatch(expected, b.array());
      assertArrayEquals(expected, b.array(), "first difference at guest offset "
          + (off + i) + " after " + ops + " operations");
    }
  }

  String stats() {
    return ops + " ops: " + writes + " writes, " + zeros + " zero writes, " + discards
        + " discards, " + reads + " reads, " + resizes + " resizes, " + reopens + " reopens"
        + (compressedWrites ? ", " + filterWrites + " compress-filter writes storing "
            + compressedClusters + " compressed clusters" : "")
        + (snapshots == null ? "" : ", " + snapshots.stats());
  }

  /** qemu-img check finds no errors and no leaks, and qemu-img compare finds the model. */
  static void assertQemuAgrees(Path image, byte[] model, Path scratch, String what)
      throws IOException {
    Qemu.Result r = Qemu.run(List.of("qemu-img", "check", image.toString()));
    assertEquals(0, r.exitCode(), what + ": qemu-img check:\n" + r.stdout() + r.stderr());
    Path raw = scratch.resolve("model.raw");
    Files.write(raw, model);
    Qemu.Result c = Qemu.run(List.of("qemu-img", "compare", "-f", "qcow2", "-F", "raw",
        image.toString(), raw.toString()));
    assertEquals(0, c.exitCode(), what + ": qemu-img compare:\n" + c.stdout() + c.stderr());
    Files.delete(raw);
  }

  /** As above for a LUKS image: qemu-img opens it with the secret, through --image-opts. */
  static void assertQemuAgreesEncrypted(Path image, byte[] model, Path scratch, String what,
      String passphrase) throws IOException {
    io.github.qcow2nio.format.testing.QemuImg.Check check =
        io.github.qcow2nio.format.testing.QemuImg.checkEncrypted(image, passphrase);
    assertEquals(0, check.exitCode(), what + ": qemu-img check:\n" + check.output());
    Path raw = scratch.resolve("qemu.raw");
    Qemu.Result c = Qemu.run(List.of("qemu-img", "convert", "--object",
        "secret,id=s0,data=" + passphrase, "--image-opts",
        "driver=qcow2,file.filename=" + image + ",encrypt.key-secret=s0", "-O", "raw",
        raw.toString()));
    assertEquals(0, c.exitCode(), what + ": qemu-img convert:\n" + c.stdout() + c.stderr());
    assertArrayEquals(model, Files.readAllBytes(raw), what + ": as qemu-img reads it");
    Files.delete(raw);
  }
}
