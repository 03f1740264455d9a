package io.github.qcow2nio.format.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Snapshot create, apply, rename and delete by us, interleaved with qemu-img's own snapshot
 * commands and qemu-io writes, over the option matrix: after every step qemu-img check finds no
 * errors and no leaks, qemu lists exactly the snapshots we hold with the fields we wrote, and
 * reads the active disk and every snapshot byte for byte as the model says.
 */
@Tag("qemu")
class SnapshotOpsInteropTest {
  @TempDir Path dir;

  static Stream<Arguments> matrix() {
    return Stream.of(
        Arguments.of("compat=1.1,cluster_size=32768", "plain"),
        Arguments.of("compat=0.10,cluster_size=4096", "plain"),
        Arguments.of("compat=1.1,cluster_size=512,refcount_bits=64", "plain"),
        Arguments.of("compat=1.1,cluster_size=1024,refcount_bits=4", "plain"),
        Arguments.of("compat=1.1,cluster_size=16384,extended_l2=on", "plain"),
        Arguments.of("compat=1.1,cluster_size=4096,lazy_refcounts=on", "plain"),
        Arguments.of("compat=1.1,cluster_size=4096,compression_type=zstd", "compressed"),
        Arguments.of("compat=1.1,cluster_size=4096", "bitmaps"),
        Arguments.of("compat=1.1,cluster_size=8192", "backing"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("matrix")
  void oursAndQemusInTurn(String options, String start) throws Exception {
    Qemu.assumeAvailable();
    boolean v3 = options.contains("compat=1.1");
    int cluster = Integer.parseInt(options.replaceAll(".*cluster_size=(\\d+).*", "$1"));
    int size = 1 << 20;
    Path img = dir.resolve("s.qcow2");
    Random rnd = new Random(options.hashCode() * 31L + start.hashCode());
    switch (start) {
      case "compressed" -> {
        byte[] raw = new byte[size];
        for (int i = 0; i < size; i += 4096) {
          Arrays.fill(raw, i, i + 4096, (byte) (i % 7 == 0 ? 0 : i >> 12));
        }
        Path src = dir.resolve("src.raw");
        Files.write(src, raw);
        Qemu.img("convert", "-q", "-c", "-f", "raw", "-O", "qcow2", "-o", options,
            src.toString(), img.toString());
      }
      case "backing" -> {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), Integer.toString(size));
        Qemu.io(base, "write -P 0x5a 0 700k");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", options + ",backing_file=base.qcow2"
            + ",backing_fmt=qcow2", img.toString());
      }
      default -> Qemu.img("create", "-q", "-f", "qcow2", "-o", options, img.toString(),
          Integer.toString(size));
    }
    if (start.equals("bitmaps")) {
      Qemu.img("bitmap", "--add", img.toString(), "b0");
    }
    Qemu.io(img, "write -P 0x11 0 200k", "write -z 300k 64k");
    SnapshotModel m = new SnapshotModel(Qemu.rawContents(img, dir));
    Qemu.img("snapshot", "-c", "q1", img.toString());
    m.snapshot("q1");
    Qemu.io(img, "write -P 0x22 100k 300k");
    m.active = Qemu.rawContents(img, dir);
    m.verify(img, dir, "qemu's q1");

    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      image.createSnapshot("s1");
      m.snapshot("s1");
      m.scribble(image, rnd, 40, cluster);
      image.createSnapshot("s2");
      m.snapshot("s2");
      m.scribble(image, rnd, 40, cluster);
    }
    m.verify(img, dir, "our s1 and s2");

    // QEMU refuses any revert on an image with persistent bitmaps, and so do we.
    boolean bitmaps = start.equals("bitmaps");
    if (!bitmaps) {
      Qemu.img("snapshot", "-a", "s1", img.toString());
      m.apply("s1");
      m.verify(img, dir, "qemu applied our s1");
    }

    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      if (bitmaps) {
        IOException e = assertThrows(IOException.class, () -> image.applySnapshot("q1"));
        assertTrue(e.getMessage().endsWith("Could not apply snapshot 'q1': Device has active "
            + "dirty bitmaps"), e.getMessage());
      } else {
        image.applySnapshot("q1");
        m.apply("q1");
      }
      m.scribble(image, rnd, 30, cluster);
      image.renameSnapshot("s2", "s2b");
      m.rename("s2", "s2b");
      image.deleteSnapshot("q1");
      m.delete("q1");
      m.scribble(image, rnd, 30, cluster);
    }
    m.verify(img, dir, "our apply, rename and delete");

    Qemu.img("snapshot", "-d", "s1", img.toString());
    m.delete("s1");
    Qemu.img("snapshot", "-c", "q2", img.toString());
    m.snapshot("q2");
    m.verify(img, dir, "qemu deleted our s1, made q2");

    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      if (v3 && !bitmaps) {
        // A revert takes the snapshot's size: grow, snapshot, go back to the smaller one and
        // forward again.
        image.disk().resize(size + 3 * cluster + 512);
        m.active = Arrays.copyOf(m.active, size + 3 * cluster + 512);
        m.scribble(image, rnd, 10, cluster);
        image.createSnapshot("big");
        m.snapshot("big");
        image.applySnapshot("q2");
        m.apply("q2");
        assertEquals(size, image.disk().size());
        m.scribble(image, rnd, 10, cluster);
        image.applySnapshot("big");
        m.apply("big");
        assertEquals(size + 3 * cluster + 512, image.disk().size());
      }
      if (!bitmaps) {
        image.applySnapshot("q2");
        m.apply("q2");
      }
      image.deleteSnapshot("s2b");
      m.delete("s2b");
      m.scribble(image, rnd, 20, cluster);
    }
    m.verify(img, dir, "our size changes and deletes");

    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      for (String name : m.snapshots.keySet().toArray(String[]::new)) {
        image.deleteSnapshot(name);
        m.delete(name);
      }
      m.scribble(image, rnd, 20, cluster);
    }
    m.verify(img, dir, "every snapshot deleted");
  }

  @Test
  void refusalsInQemusWords() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("r.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "1M");
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      image.createSnapshot("a");
      FileAlreadyExistsException dup = assertThrows(FileAlreadyExistsException.class,
          () -> image.createSnapshot("a"));
      assertTrue(dup.getMessage().endsWith(
          "Snapshot 'a' already exists in one or more devices"), dup.getMessage());
      NoSuchFileException none = assertThrows(NoSuchFileException.class,
          () -> image.applySnapshot("nosuch"));
      assertTrue(none.getMessage().endsWith("Could not apply snapshot 'nosuch': Failed to load "
          + "snapshot: No such file or directory"), none.getMessage());
      none = assertThrows(NoSuchFileException.class, () -> image.deleteSnapshot("nosuch"));
      assertTrue(none.getMessage().endsWith("Could not delete snapshot 'nosuch': snapshot not "
          + "found"), none.getMessage());
      IOException longName = assertThrows(IOException.class,
          () -> image.createSnapshot("x".repeat(256)));
      assertTrue(longName.getMessage().contains("at most 255"), longName.getMessage());
      image.createSnapshot("x".repeat(255));
      assertEquals("2", image.findSnapshot("x".repeat(255)).get().id());
    }
    Qemu.img("check", img.toString());

    Path one = dir.resolve("one.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", one.toString(), "1M");
    Qemu.io(one, "write -P 1 0 64k");
    try (Qcow2Image image = Qcow2Image.open(one, OpenOptions.readWrite())) {
      IOException e = assertThrows(IOException.class, () -> image.createSnapshot("s"));
      assertTrue(e.getMessage().contains("Could not create snapshot 's': -22 (Invalid argument)"),
          e.getMessage());
      assertEquals(0, image.snapshots().size());
    }
    assertEquals(0, Qemu.run(java.util.List.of("qemu-img", "check", one.toString())).exitCode());

    // 2-bit refcounts hold 3: qemu-img makes two snapshots of a written cluster, not three.
    Path two = dir.resolve("two.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "refcount_bits=2", two.toString(), "1M");
    Qemu.io(two, "write -P 1 0 64k");
    try (Qcow2Image image = Qcow2Image.open(two, OpenOptions.readWrite())) {
      image.createSnapshot("a");
      image.createSnapshot("b");
      IOException e = assertThrows(IOException.class, () -> image.createSnapshot("c"));
      assertTrue(e.getMessage().contains("-22 (Invalid argument)"), e.getMessage());
      assertEquals(2, image.snapshots().size());
      image.deleteSnapshot("a");
      image.createSnapshot("c");
    }
    assertEquals(0, Qemu.run(java.util.List.of("qemu-img", "check", two.toString())).exitCode());

    Path data = dir.resolve("d.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("d.data"),
        data.toString(), "1M");
    try (Qcow2Image image = Qcow2Image.open(data, OpenOptions.readWrite())) {
      IOException e = assertThrows(IOException.class, () -> image.createSnapshot("s"));
      assertTrue(e.getMessage().contains("Could not create snapshot 's': -95 (Operation not "
          + "supported)"), e.getMessage());
    }
    try (Qcow2Image image = Qcow2Image.open(img)) {
      assertThrows(IOException.class, () -> image.createSnapshot("ro"));
    }
  }
}
