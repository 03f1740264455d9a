package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The snapshot half of {@link RandomOps}: random creates, applies (reverts, sizes included),
 * renames and deletes of internal snapshots, with one model disk per snapshot, each checked
 * against the snapshot's disk as we read it and, at the end, as qemu-img reads it.
 */
final class RandomSnapshots {
  final Map<String, byte[]> disks = new LinkedHashMap<>();
  private final boolean v2;
  private int names;
  int creates;
  int applies;
  int deletes;
  int renames;
  int refused;

  RandomSnapshots(boolean v2) {
    this.v2 = v2;
  }

  /**
   * A resize this workload leaves out while snapshots exist: any on v2 (refused, as qemu-img
   * refuses it), shrinking on v3 (allowed since the core follows qemu-img 7.2, covered by
   * ResizeAgainstQemuTest and AmendTest, not by this model yet).
   */
  boolean refusesResize(long oldSize, long newSize) {
    return !disks.isEmpty() && (v2 || newSize < oldSize);
  }

  void step(Qcow2Image image, RandomOps ops, Random rnd) throws IOException {
    List<String> names = new ArrayList<>(disks.keySet());
    int k = rnd.nextInt(10);
    if (names.isEmpty() || (k < 4 && names.size() < 6)) {
      String name = "r" + this.names++;
      try {
        image.createSnapshot(name);
      } catch (Qcow2Exception e) {
        // Narrow refcounts (1 or 2 bits) run out of room for another tree: refused as QEMU
        // refuses it, and nothing changed.
        assertTrue(e.getMessage().contains("-22 (Invalid argument)"), e.getMessage());
        assertTrue(image.findSnapshot(name).isEmpty(), "a refused snapshot exists");
        refused++;
        return;
      }
      disks.put(name, ops.model.clone());
      creates++;
      return;
    }
    String name = names.get(rnd.nextInt(names.size()));
    if (k < 6) {
      image.applySnapshot(name);
      ops.model = disks.get(name).clone();
      applies++;
    } else if (k < 8) {
      image.deleteSnapshot(name);
      disks.remove(name);
      deletes++;
    } else if (k < 9) {
      String to = "r" + this.names++;
      image.renameSnapshot(name, to);
      Map<String, byte[]> copy = new LinkedHashMap<>(disks);
      disks.clear();
      copy.forEach((n, d) -> disks.put(n.equals(name) ? to : n, d));
      renames++;
    } else {
      check(image, name, ops.ops);
    }
  }

  void check(Qcow2Image image, String name, int after) throws IOException {
    VirtualDisk d = image.snapshotDisk(name);
    byte[] expected = disks.get(name);
    assertEquals(expected.length, d.size(), "size of snapshot " + name);
    byte[] b = new byte[expected.length];
    d.read(ByteBuffer.wrap(b), 0);
    if (!Arrays.equals(expected, b)) {
      int i = Arrays.mismatch(expected, b);
      assertArrayEquals(expected, b, "snapshot " + name + " differs first at " + i + " after "
          + after + " operations");
    }
  }

  /**
   * Every snapshot as qemu-img reads it. qemu-img 7.2 reads a snapshot at the disk's current size,
   * not at the snapshot's own: past the snapshot's size it shows whatever the snapshot's tables
   * hold there, which no guest of that snapshot ever sees (a revert takes the snapshot's size), so
   * only the snapshot's own bytes are compared.
   */
  void assertQemuAgrees(Path image, long size, Path scratch, String what) throws IOException {
    for (Map.Entry<String, byte[]> e : disks.entrySet()) {
      Path raw = scratch.resolve("snap.raw");
      Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=" + e.getKey(), image.toString(),
          raw.toString());
      byte[] expected = e.getValue();
      byte[] read = Files.readAllBytes(raw);
      assertEquals(size, read.length, what + ": snapshot " + e.getKey() + " size as qemu reads it");
      int own = (int) Math.min(expected.length, size);
      assertArrayEquals(Arrays.copyOf(expected, own), Arrays.copyOf(read, own),
          what + ": snapshot " + e.getKey() + " (" + expected.length + " bytes) as qemu reads it");
      Files.delete(raw);
    }
  }

  String stats() {
    return creates + " snapshots created, " + applies + " applied, " + renames + " renamed, "
        + deletes + " deleted, " + refused + " refused";
  }
}
