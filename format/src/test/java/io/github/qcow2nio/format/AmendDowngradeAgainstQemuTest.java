package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code amend -o compat=0.10} against {@code qemu-img amend} 7.2 on images whose zero clusters
 * (plain and preallocated) sit in the active layer, in snapshots' own L2 tables and in tables
 * the active layer and snapshots share, with and without a backing file, over cluster sizes:
 * the same image is amended by both; the active layer and every snapshot (read by {@code
 * qemu-img convert -l}) must read as before, ours must pass {@code qemu-img check} with no leak,
 * and where qemu-img's result is sound, ours must read as its does, end where its check says
 * its image ends and have the same length. Then the same with persistent bitmaps, which qemu-img
 * keeps unnamed and leaks and which we drop and free.
 */
@Tag("qemu")
class AmendDowngradeAgainstQemuTest {
  @TempDir Path dir;

  /**
   * How one image is made: writes, then a snapshot, then writes, per round; and whether the
   * active layer ends up zeroing, preallocated, whole clusters a snapshot holds as data (which
   * qemu-img 7.2 fills with zeros, changing the snapshot).
   */
  private record Case(String name, int clusterKib, boolean backing, String[][] rounds,
      boolean zeroesSharedData) {}

  private static final String[][] SHARED = {
      {"write -P 0x21 0 192k", "write -z 64k 64k", "write -z 320k 32k"}, {}, {}};
  private static final String[][] OWN = {
      {"write -P 0x21 0 192k", "write -z 64k 64k", "write -z 320k 32k"},
      {"write -P 0x31 128k 4k", "write -z 400k 8k"}, {"write -z 0 8k"}};
  private static final String[][] WIDE = {
      {"write -P 0x21 0 1M", "write -z 1M 512k", "write -z 2M 64k"},
      {"write -P 0x31 3M 64k", "write -z 1536k 64k"}, {"write -z 5M 128k", "write -P 5 4M 4k"}};
  /** The active layer zeroes, preallocated, a cluster a snapshot holds as data. */
  private static final String[][] ZEROED_SHARED = {
      {"write -P 0x21 0 256k"}, {"write -z 64k 64k", "write -z 0 64k"}};

  private static List<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (int kib : new int[] {64, 4, 1}) {
      for (boolean backing : new boolean[] {true, false}) {
        out.add(new Case("shared tables", kib, backing, SHARED, false));
        // The last round's "write -z 0 8k" zeroes whole clusters of 8 KiB and less.
        out.add(new Case("own tables", kib, backing, OWN, kib <= 8));
      }
    }
    out.add(new Case("wide", 64, true, WIDE, false));
    out.add(new Case("wide", 64, false, WIDE, false));
    out.add(new Case("zeroed shared", 64, false, ZEROED_SHARED, true));
    out.add(new Case("zeroed shared", 64, true, ZEROED_SHARED, true));
    return out;
  }

  @Test
  void downgradesAsQemuImgWithSnapshotsAndBackingFiles() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (Case c : cases()) {
      Path sub = dir.resolve("case" + n++);
      checks.add(() -> run(sub, c));
    }
    assertAll(checks);
  }

  private static void run(Path sub, Case c) throws IOException {
    String what = c.name() + ", " + c.clusterKib() + "k clusters"
        + (c.backing() ? ", backing file" : "");
    Files.createDirectories(sub);
    Path made = sub.resolve("made.qcow2");
    List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2",
        "-o", "cluster_size=" + c.clusterKib() + "k"));
    if (c.backing()) {
      Path base = sub.resolve("base.qcow2");
      Qemu.ok("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "8M");
      Qemu.io(base, "write -P 0x11 0 8M");
      create.addAll(List.of("-b", "base.qcow2", "-F", "qcow2"));
    }
    create.addAll(List.of(made.toString(), "8M"));
    assertEquals(0, Qemu.run(create, sub).exitCode(), what);
    List<String> snapshots = new ArrayList<>();
    for (int r = 0; r < c.rounds().length; r++) {
      if (r > 0) {
        snapshots.add("s" + r);
        Qemu.ok("qemu-img", "snapshot", "-c", "s" + r, made.toString());
      }
      if (c.rounds()[r].length > 0) {
        Qemu.io(made, c.rounds()[r]);
      }
    }
    Path theirs = sub.resolve("theirs.qcow2");
    Path ours = sub.resolve("ours.qcow2");
    Files.copy(made, theirs);
    Files.copy(made, ours);
    Qemu.ok("qemu-img", "amend", "-o", "compat=0.10", theirs.toString());
    AmendResult r = ImageOperations.amend(AmendOptions.builder(ours).version(2).build());
    assertEquals(2, r.after().version(), what);

    QemuImg.Check ourCheck = QemuImg.check(ours);
    assertTrue(ourCheck.consistent(false), what + ": " + ourCheck.output());
    assertEquals(0, QemuImg.compare(made, ours, false).exitCode(), what + ": active layer");
    QemuImg.Check theirCheck = QemuImg.check(theirs);
    // qemu-img 7.2 may set COPIED on a preallocated zero cluster counted more than once (its
    // own check then reports corruptions); what the image reads is what counts here.
    boolean sound = theirCheck.exitCode() != 1;
    for (String s : snapshots) {
      byte[] before = snapshot(made, s);
      assertArrayEquals(before, snapshot(ours, s), what + ": snapshot " + s);
      sound &= java.util.Arrays.equals(before, snapshot(theirs, s));
    }
    if (c.zeroesSharedData()) {
      // qemu-img 7.2 fills the shared cluster with zeros: the snapshot changes, and its check
      // finds COPIED set on a cluster counted twice. Pinned, so that a qemu-img that mends it
      // is noticed.
      assertFalse(sound, what + ": qemu-img's result was expected to be unsound");
      return;
    }
    assertTrue(sound, what + ": qemu-img's result reads differently: " + theirCheck.output());
    assertEquals(0, QemuImg.compare(theirs, ours, false).exitCode(), what + ": as qemu-img's");
    assertEquals(theirCheck.imageEndOffset(), ourCheck.imageEndOffset(), what + ": image end");
    assertEquals(theirCheck.allocatedClusters(), ourCheck.allocatedClusters(),
        what + ": allocated clusters");
    assertEquals(Files.size(theirs), Files.size(ours), what + ": file length");
  }

  private static byte[] snapshot(Path img, String name) throws IOException {
    Path raw = img.resolveSibling(img.getFileName() + "." + name + ".raw");
    Files.deleteIfExists(raw);
    Qemu.ok("qemu-img", "convert", "-O", "raw", "-l", "snapshot.name=" + name, img.toString(),
        raw.toString());
    return Files.readAllBytes(raw);
  }

  /**
   * qemu-img 7.2 downgrades an image with persistent bitmaps without a word (exit 0), keeps the
   * bitmaps' extension in the v2 header with its autoclear bit gone, so that every reader takes
   * them as inconsistent ({@code qemu-img info} and {@code check} warn so), and its check then
   * finds their clusters leaked (exit 3). We drop the extension and free the clusters: the same
   * guest content, no bitmap either way, and a clean check.
   */
  @Test
  void bitmapsAreDroppedAndFreedWhereQemuImgLeaksThem() throws IOException {
    Qemu.assumeAvailable();
    for (int kib : new int[] {64, 4}) {
      String what = kib + "k clusters";
      Path made = dir.resolve("bitmaps" + kib + ".qcow2");
      Qemu.ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=" + kib + "k",
          made.toString(), "8M");
      Qemu.io(made, "write -P 0x33 0 256k", "write -z 1M 64k");
      Qemu.ok("qemu-img", "bitmap", "--add", made.toString(), "b1");
      Qemu.ok("qemu-img", "bitmap", "--add", "-g", "4k", made.toString(), "b2");
      Qemu.io(made, "write -P 1 0 64k", "write -P 2 7M 64k");
      Qemu.ok("qemu-img", "snapshot", "-c", "s1", made.toString());
      Path theirs = dir.resolve("theirs" + kib + ".qcow2");
      Path ours = dir.resolve("ours" + kib + ".qcow2");
      Files.copy(made, theirs);
      Files.copy(made, ours);

      Qemu.Result q = Qemu.run("qemu-img", "amend", "-o", "compat=0.10", theirs.toString());
      assertEquals(0, q.exitCode(), what + ": " + q.stderr());
      QemuImg.Check theirCheck = QemuImg.check(theirs);
      assertEquals(3, theirCheck.exitCode(), what + ": " + theirCheck.output());
      assertTrue(theirCheck.leaks() > 0, what + ": " + theirCheck.output());

      ImageOperations.amend(AmendOptions.builder(ours).version(2).build());
      QemuImg.Check ourCheck = QemuImg.check(ours);
      assertTrue(ourCheck.consistent(false), what + ": " + ourCheck.output());
      assertFalse(QemuImg.info(ours).toString().contains("bitmaps"), what);
      assertFalse(Qemu.run("qemu-img", "info", ours.toString()).stderr().contains("bitmaps"),
          what);
      assertEquals(0, QemuImg.compare(made, ours, false).exitCode(), what + ": content");
      assertArrayEquals(snapshot(made, "s1"), snapshot(ours, "s1"), what + ": snapshot");
      // What qemu-img leaks is what we free: the rest is allocated alike.
      assertEquals(theirCheck.allocatedClusters(), ourCheck.allocatedClusters(), what);
      try (Qcow2Image img = Qcow2Image.open(ours)) {
        assertTrue(img.bitmaps().isEmpty(), what);
        assertTrue(img.extensions().bitmaps().isEmpty(), what);
      }
    }
  }
}
