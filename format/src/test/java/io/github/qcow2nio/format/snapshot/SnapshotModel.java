package io.github.qcow2nio.format.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
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
 * What an image with snapshots must hold: the active disk's bytes and one disk per snapshot, by
 * name; and the checks that hold an image to it with qemu-img as the oracle.
 */
final class SnapshotModel {
  byte[] active;
  final Map<String, byte[]> snapshots = new LinkedHashMap<>();

  SnapshotModel(byte[] active) {
    this.active = active;
  }

  void snapshot(String name) {
    snapshots.put(name, active.clone());
  }

  void apply(String name) {
    active = snapshots.get(name).clone();
  }

  void delete(String name) {
    snapshots.remove(name);
  }

  void rename(String from, String to) {
    Map<String, byte[]> copy = new LinkedHashMap<>(snapshots);
    snapshots.clear();
    copy.forEach((k, v) -> snapshots.put(k.equals(from) ? to : k, v));
  }

  /** Random writes, zeros and discards of whole clusters through our disk, mirrored here. */
  void scribble(Qcow2Image image, Random rnd, int ops, int cluster) throws IOException {
    for (int i = 0; i < ops; i++) {
      int size = active.length;
      int off = rnd.nextInt(size);
      int len = 1 + rnd.nextInt(Math.min(size - off, 3 * cluster));
      int kind = rnd.nextInt(10);
      if (kind < 7) {
        byte[] d = new byte[len];
        rnd.nextBytes(d);
        image.disk().write(ByteBuffer.wrap(d), off);
        System.arraycopy(d, 0, active, off, len);
      } else if (kind < 9) {
        image.disk().writeZeros(off, len);
        Arrays.fill(active, off, off + len, (byte) 0);
      } else {
        off = off / cluster * cluster;
        len = Math.min(size - off, cluster * (1 + rnd.nextInt(3)));
        image.disk().discard(off, len);
        for (int c = off; c < off + len; c += cluster) {
          int end = Math.min(c + cluster, size);
          if (end <= off + len) {
            Arrays.fill(active, c, end, (byte) 0);
          }
        }
      }
    }
  }

  /**
   * qemu-img check finds nothing (no errors, no leaks), lists exactly our snapshots with the
   * fields our entries hold, and reads the active disk and every snapshot byte for byte.
   */
  void verify(Path img, Path scratch, String what) throws IOException {
    QemuImg.Check c = QemuImg.check(img);
    if (!c.consistent(false)) {
      fail(what + ": qemu-img check: " + c.output());
    }
    assertArrayEquals(active, Qemu.rawContents(img, scratch), what + ": active disk");
    List<SnapshotEntry> ours;
    try (Qcow2Image image = Qcow2Image.open(img)) {
      ours = image.snapshots();
      byte[] b = new byte[(int) image.disk().size()];
      image.disk().read(ByteBuffer.wrap(b), 0);
      assertArrayEquals(active, b, what + ": active disk through our reader");
    }
    JsonNode info = QemuImg.info(img);
    JsonNode list = info.path("snapshots");
    List<String> names = new ArrayList<>();
    for (JsonNode n : list) {
      names.add(n.path("name").asText());
    }
    assertEquals(new ArrayList<>(snapshots.keySet()), names, what + ": qemu's snapshot list");
    assertEquals(ours.size(), list.size(), what + ": snapshot count");
    for (int i = 0; i < ours.size(); i++) {
      SnapshotEntry s = ours.get(i);
      JsonNode n = list.get(i);
      String w = what + ": snapshot " + s.name();
      assertEquals(s.id(), n.path("id").asText(), w + " id");
      assertEquals(s.name(), n.path("name").asText(), w + " name");
      assertEquals(s.dateSeconds(), n.path("date-sec").asLong(), w + " date-sec");
      assertEquals(s.dateNanos(), n.path("date-nsec").asLong(), w + " date-nsec");
      assertEquals(s.vmClockNanos(), n.path("vm-clock-sec").asLong() * 1_000_000_000L
          + n.path("vm-clock-nsec").asLong(), w + " vm clock");
      assertEquals(s.vmStateSize(), n.path("vm-state-size").asLong(), w + " vm state size");
      if (n.has("icount")) {
        assertEquals(s.icount(), n.path("icount").asLong(), w + " icount");
      }
    }
    String listed = Qemu.img("snapshot", "-l", img.toString());
    for (SnapshotEntry s : ours) {
      assertTrue(listed.lines().anyMatch(l -> l.startsWith(s.id() + " ") && l.contains(s.name())),
          what + ": qemu-img snapshot -l lacks " + s.id() + " " + s.name() + ":\n" + listed);
    }
    for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
      Path raw = scratch.resolve("snapshot.raw");
      Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=" + e.getKey(), img.toString(),
          raw.toString());
      byte[] got = Files.readAllBytes(raw);
      Files.delete(raw);
      // qemu-img 7.2 reads a snapshot at the disk's current size (its load_tmp keeps it).
      assertArrayEquals(Arrays.copyOf(e.getValue(), active.length), got,
          what + ": snapshot " + e.getKey() + " as qemu reads it");
    }
    try (Qcow2Image image = Qcow2Image.open(img)) {
      for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
        var disk = image.snapshotDisk(e.getKey());
        byte[] b = new byte[(int) disk.size()];
        disk.read(ByteBuffer.wrap(b), 0);
        assertArrayEquals(e.getValue(), b, what + ": snapshot " + e.getKey()
            + " through our reader, at its own size");
      }
    }
  }
}
