package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The snapshot operations of {@link CrashTest}: random creates, reverts, renames and deletes,
 * the snapshots modelled one disk each, and what a crash may leave: the snapshots before the
 * operation or after it (none lost, each reading as modelled), and after a revert cut short the
 * old disk (as the last flush left it) or the snapshot's, never a mix.
 */
final class CrashSnapshots {
  private final Map<String, byte[]> disks = new LinkedHashMap<>();
  /** The snapshots had the operation in progress completed; null between operations. */
  private Map<String, byte[]> ifDone;
  /** The disk a revert in progress gives; null when none is in progress. */
  byte[] revertingTo;
  private int names;

  boolean isEmpty() {
    return disks.isEmpty();
  }

  /** One random snapshot operation; returns the active disk's model afterwards. */
  byte[] step(Qcow2Image image, byte[] model, Random rnd) throws IOException {
    List<String> names = new ArrayList<>(disks.keySet());
    int k = rnd.nextInt(10);
    if (names.isEmpty() || (k < 4 && names.size() < 4)) {
      String name = "c" + this.names++;
      ifDone = new LinkedHashMap<>(disks);
      ifDone.put(name, model.clone());
      image.createSnapshot(name);
    } else {
      String name = names.get(rnd.nextInt(names.size()));
      if (k < 7) {
        ifDone = new LinkedHashMap<>(disks);
        revertingTo = disks.get(name);
        image.applySnapshot(name);
        model = disks.get(name).clone();
      } else if (k < 9) {
        ifDone = new LinkedHashMap<>(disks);
        ifDone.remove(name);
        image.deleteSnapshot(name);
      } else {
        String to = "c" + this.names++;
        ifDone = new LinkedHashMap<>();
        disks.forEach((n, d) -> ifDone.put(n.equals(name) ? to : n, d));
        image.renameSnapshot(name, to);
      }
    }
    disks.clear();
    disks.putAll(ifDone);
    ifDone = null;
    revertingTo = null;
    return model;
  }

  /** After a crash: the snapshots before or after the operation, each as modelled. */
  void check(Path img, String what) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img)) {
      List<String> names = new ArrayList<>();
      image.snapshots().forEach(s -> names.add(s.name()));
      Map<String, byte[]> expected = disks;
      if (ifDone != null && names.equals(new ArrayList<>(ifDone.keySet()))) {
        expected = ifDone;
      }
      assertEquals(new ArrayList<>(expected.keySet()), names, what + ": snapshots");
      for (Map.Entry<String, byte[]> e : expected.entrySet()) {
        VirtualDisk d = image.snapshotDisk(e.getKey());
        byte[] b = new byte[(int) d.size()];
        d.read(ByteBuffer.wrap(b), 0);
        assertArrayEquals(e.getValue(), b, what + ": snapshot " + e.getKey());
      }
    }
  }
}
