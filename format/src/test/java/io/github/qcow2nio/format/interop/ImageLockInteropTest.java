package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.ImageLockedException;
import io.github.qcow2nio.format.testing.ProcLocks;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuHolder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Tag;

/**
 * QEMU's image locks, with qemu-io and qemu-img as the oracle: the bytes we lock are the bytes
 * qemu-io locks for the same open, and every open attempt (ours or QEMU's) next to a holder (ours
 * or QEMU's) comes to what it comes to next to QEMU itself.
 */
@Tag("qemu")
class ImageLockInteropTest {
  @TempDir Path dir;
  Path base;
  Path over;
  Path over2;
  Path ext;
  Path data;
  Path rawBase;
  Path overRaw;

  /** A kind of open: qemu-io's flags, and our options. */
  enum Mode {
    READ_WRITE(List.of(), OpenOptions.readWrite()),
    READ_ONLY(List.of("-r"), OpenOptions.readOnly()),
    FORCE_SHARE(List.of("-r", "-U"), OpenOptions.builder().forceShare(true).build());

    final List<String> qemuFlags;
    final OpenOptions options;

    Mode(List<String> qemuFlags, OpenOptions options) {
      this.qemuFlags = qemuFlags;
      this.options = options;
    }
  }

  @BeforeEach
  void images() throws IOException {
    Qemu.assumeAvailable();
    ProcLocks.assumeAvailable();
    base = dir.resolve("base.qcow2");
    over = dir.resolve("over.qcow2");
    over2 = dir.resolve("over2.qcow2");
    ext = dir.resolve("ext.qcow2");
    data = dir.resolve("ext.data");
    rawBase = dir.resolve("base.raw");
    overRaw = dir.resolve("over-raw.qcow2");
    Qemu.img("create", "-f", "qcow2", base.toString(), "1M");
    Qemu.io(base, "write -P 7 0 64k");
    Qemu.img("create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", over.toString());
    Qemu.img("create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", over2.toString());
    Qemu.img("create", "-f", "qcow2", "-o", "data_file=" + data, ext.toString(), "1M");
    Qemu.img("create", "-f", "raw", rawBase.toString(), "1M");
    Qemu.img("create", "-f", "qcow2", "-b", rawBase.toString(), "-F", "raw", overRaw.toString());
  }

  /** Each file an open of {@code image} touches: the image, its backing file, its data file. */
  private List<Path> files(Path image) {
    if (image.equals(over) || image.equals(over2)) {
      return List.of(image, base);
    }
    if (image.equals(ext)) {
      return List.of(image, data);
    }
    if (image.equals(overRaw)) {
      return List.of(image, rawBase);
    }
    return List.of(image);
  }

  private Map<Path, SortedSet<Integer>> qemuBytes(List<Path> files) throws IOException {
    Map<Path, SortedSet<Integer>> m = new LinkedHashMap<>();
    for (Path f : files) {
      m.put(f, ProcLocks.ofd(f));
    }
    return m;
  }

  private Map<Path, SortedSet<Integer>> ourBytes(List<Path> files) throws IOException {
    Map<Path, SortedSet<Integer>> m = new LinkedHashMap<>();
    for (Path f : files) {
      m.put(f, ProcLocks.ours(f));
    }
    return m;
  }

  private QemuHolder hold(Path image, Mode mode) throws IOException {
    List<Path> files = files(image);
    return QemuHolder.start(image, "qcow2", mode.qemuFlags,
        files.subList(1, files.size()).toArray(Path[]::new));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void weLockTheBytesQemuLocks(Mode mode) throws IOException {
    for (Path image : List.of(base, over, ext, overRaw)) {
      List<Path> files = files(image);
      Map<Path, SortedSet<Integer>> expected;
      try (QemuHolder q = hold(image, mode)) {
        expected = qemuBytes(files);
      }
      try (Qcow2Image img = Qcow2Image.open(image, mode.options)) {
        assertEquals(expected, ourBytes(files), mode + " open of " + image);
      }
      for (Path f : files) {
        assertTrue(ProcLocks.ours(f).isEmpty(), "locks left on " + f + " after close");
      }
    }
  }

  private static String qemuOpen(Path image, Mode mode) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-io"));
    cmd.addAll(mode.qemuFlags);
    cmd.addAll(List.of("-f", "qcow2", "-c", "read 0 512", image.toString()));
    return outcomeNaming(cmd);
  }

  /** The outcome of a QEMU command, whichever file its message names. */
  private static String outcomeNaming(List<String> cmd) throws IOException {
    Qemu.Result r = Qemu.run(cmd);
    String text = r.stdout() + r.stderr();
    int at = text.indexOf("Is another process using the image [");
    Path named = at < 0 ? Path.of("") : Path.of(text.substring(at + 36, text.indexOf("]?", at)));
    return QemuHolder.outcome(r.exitCode() == 0, text, named) + (at < 0 ? "" : " on " + named);
  }

  private static String ours(Path image, OpenOptions options) {
    try (Qcow2Image img = Qcow2Image.open(image, options)) {
      img.disk().read(ByteBuffer.allocate(512), 0);
      return "ok";
    } catch (ImageLockedException e) {
      return QemuHolder.outcome(false, e.getMessage(), Path.of(e.file())) + " on " + e.file();
    } catch (IOException e) {
      return "other failure: " + e;
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void nextToQemuWeOpenWhatQemuOpens(Mode holder) throws IOException {
    for (Path held : List.of(over, ext)) {
      // The opener's target: the held image itself, and (for the overlay) its backing file.
      List<Path> targets = held.equals(over) ? List.of(over, base, over2) : List.of(ext);
      try (QemuHolder q = hold(held, holder)) {
        for (Path target : targets) {
          for (Mode opener : Mode.values()) {
            String expected = qemuOpen(target, opener);
            assertEquals(expected, ours(target, opener.options),
                opener + " open of " + target + " while qemu-io holds " + held + " " + holder);
          }
          // locking=false ignores the holder, as QEMU's locking=off.
          assertEquals("ok", ours(target, OpenOptions.builder().locking(false).build()));
        }
      }
    }
  }

  /** The QEMU commands whose outcome next to a holder is compared. */
  private List<List<String>> probes(Path held) {
    List<List<String>> p = new ArrayList<>();
    p.add(List.of("qemu-io", "-f", "qcow2", "-c", "read 0 512", held.toString()));
    p.add(List.of("qemu-io", "-r", "-f", "qcow2", "-c", "read 0 512", held.toString()));
    p.add(List.of("qemu-img", "info", held.toString()));
    p.add(List.of("qemu-img", "info", "-U", held.toString()));
    p.add(List.of("qemu-img", "map", held.toString()));
    if (held.equals(over)) {
      p.add(List.of("qemu-io", "-f", "qcow2", "-c", "read 0 512", base.toString()));
      p.add(List.of("qemu-io", "-r", "-f", "qcow2", "-c", "read 0 512", base.toString()));
      p.add(List.of("qemu-io", "-r", "-f", "qcow2", "-c", "read 0 512", over2.toString()));
    } else {
      p.add(List.of("qemu-io", "-f", "raw", "-c", "read 0 512", data.toString()));
      p.add(List.of("qemu-io", "-r", "-f", "raw", "-c", "read 0 512", data.toString()));
    }
    return p;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void nextToUsQemuOpensWhatItOpensNextToQemu(Mode holder) throws IOException {
    for (Path held : List.of(over, ext)) {
      List<String> expected = new ArrayList<>();
      try (QemuHolder q = hold(held, holder)) {
        for (List<String> probe : probes(held)) {
          expected.add(outcomeNaming(probe));
        }
      }
      List<String> actual = new ArrayList<>();
      try (Qcow2Image img = Qcow2Image.open(held, holder.options)) {
        for (List<String> probe : probes(held)) {
          actual.add(outcomeNaming(probe));
        }
      }
      assertEquals(expected, actual, "while we hold " + held + " " + holder);
      assertTrue(expected.stream().anyMatch(o -> o.startsWith("Failed"))
          || holder == Mode.FORCE_SHARE, "a holder that refuses nothing? " + expected);
    }
  }

  @Test
  void withoutLockingQemuIsNotStopped() throws IOException {
    List<String> free = new ArrayList<>();
    for (List<String> probe : probes(over)) {
      free.add(outcomeNaming(probe));
    }
    OpenOptions unlocked = OpenOptions.builder().writable(true).locking(false).build();
    try (Qcow2Image img = Qcow2Image.open(over, unlocked)) {
      assertTrue(ProcLocks.ours(over).isEmpty() && ProcLocks.ours(base).isEmpty());
      List<String> actual = new ArrayList<>();
      for (List<String> probe : probes(over)) {
        actual.add(outcomeNaming(probe));
      }
      assertEquals(free, actual);
    }
  }

  @Test
  void forceShareNeedsReadOnly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OpenOptions.builder().writable(true).forceShare(true).build());
    assertTrue(e.getMessage().contains("force-share=on can only be used with read-only images"));
  }

  @Test
  void inOneJvmOpensConflictAsAcrossProcesses() throws IOException {
    for (Mode first : Mode.values()) {
      for (Mode second : Mode.values()) {
        String expected;
        try (QemuHolder q = hold(over, first)) {
          expected = qemuOpen(over, second);
        }
        try (Qcow2Image held = Qcow2Image.open(over, first.options)) {
          Map<Path, SortedSet<Integer>> before = ourBytes(files(over));
          assertEquals(expected, ours(over, second.options), first + " then " + second);
          // The second open closed channels of both files: the first one's locks must stand.
          assertEquals(before, ourBytes(files(over)), first + " then " + second);
        }
      }
    }
  }

  @Test
  void twoOverlaysShareTheirBackingFile() throws IOException {
    String writerOnHeldBase;
    try (QemuHolder q = QemuHolder.start(base, "qcow2", List.of("-r"))) {
      writerOnHeldBase = qemuOpen(base, Mode.READ_WRITE);
    }
    assertTrue(writerOnHeldBase.startsWith("Failed"), writerOnHeldBase);
    Qcow2Image a = Qcow2Image.open(over, OpenOptions.readWrite());
    try (Qcow2Image b = Qcow2Image.open(over2, OpenOptions.readOnly())) {
      byte[] fromA = new byte[4096];
      byte[] fromB = new byte[4096];
      a.disk().read(ByteBuffer.wrap(fromA), 0);
      b.disk().read(ByteBuffer.wrap(fromB), 0);
      assertArrayEquals(fromA, fromB);
      SortedSet<Integer> both = ProcLocks.ours(base);
      a.close();
      // Closing a closed a channel on base: b's locks on it must have come back.
      assertEquals(both, ProcLocks.ours(base));
      assertEquals(writerOnHeldBase, qemuOpen(base, Mode.READ_WRITE));
    } finally {
      a.close();
    }
    assertTrue(ProcLocks.ours(base).isEmpty());
    assertEquals("ok", qemuOpen(base, Mode.READ_WRITE));
  }

  @Test
  void locksSurviveTheReopenAfterAnInterrupt() throws Exception {
    String expected;
    try (QemuHolder q = hold(over, Mode.READ_WRITE)) {
      expected = qemuOpen(over, Mode.READ_WRITE);
    }
    assertTrue(expected.startsWith("Failed"), expected);
    try (Qcow2Image img = Qcow2Image.open(over, OpenOptions.readWrite())) {
      Map<Path, SortedSet<Integer>> before = ourBytes(files(over));
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread t = new Thread(() -> {
        Thread.currentThread().interrupt();
        try {
          img.hostFile().read(ByteBuffer.allocate(512), 0);
        } catch (Throwable e) {
          thrown.set(e);
        }
      });
      t.start();
      t.join();
      assertTrue(thrown.get() instanceof ClosedByInterruptException, String.valueOf(thrown));
      assertEquals(before, ourBytes(files(over)));
      assertEquals(expected, qemuOpen(over, Mode.READ_WRITE));
      byte[] b = new byte[512];
      img.disk().read(ByteBuffer.wrap(b), 0);
      assertEquals(7, b[0]);
    }
    assertEquals("ok", qemuOpen(over, Mode.READ_WRITE));
  }

  @Test
  void creatingOverAnImageInUseFailsAsQemuImgCreate() throws IOException {
    byte[] before = Qemu.rawContents(base, dir);
    for (Mode holder : Mode.values()) {
      try (QemuHolder q = hold(base, holder)) {
        String expected = outcomeNaming(List.of("qemu-img", "create", "-f", "qcow2",
            base.toString(), "1M"));
        String actual;
        try (Qcow2Image img = Qcow2Image.create(base, CreateOptions.defaults(1 << 20))) {
          actual = "ok";
        } catch (ImageLockedException e) {
          actual = QemuHolder.outcome(false, e.getMessage(), Path.of(e.file())) + " on "
              + e.file();
        }
        assertEquals(expected, actual, "create next to qemu-io " + holder);
      }
      if (holder != Mode.FORCE_SHARE) {
        assertArrayEquals(before, Qemu.rawContents(base, dir), "created over a held image");
      }
    }
  }
}
