package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.ImageLockedException;
import io.github.qcow2nio.format.testing.ProcLocks;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuHolder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** Image locks through the provider: its env keys against qemu-io and qemu-img, both ways. */
@Tag("qemu")
class ProviderLockTest {
  @TempDir Path dir;
  Path base;
  Path image;

  @BeforeEach
  void images() throws IOException {
    Qemu.assumeAvailable();
    ProcLocks.assumeAvailable();
    base = dir.resolve("base.qcow2");
    image = dir.resolve("vm.qcow2");
    Qemu.img("create", "-f", "qcow2", base.toString(), "1M");
    Qemu.io(base, "write -P 9 0 4k");
    Qemu.img("create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", image.toString());
  }

  private static String outcome(Path file, String... cmd) throws IOException {
    return QemuHolder.outcome(file, cmd);
  }

  /** What a provider open with {@code env} comes to, in QEMU's terms. */
  private String open(Map<String, ?> env) {
    try (FileSystem fs = FileSystems.newFileSystem(image, env)) {
      try (FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, 0);
        assertEquals(9, b.get(0));
      }
      return "ok";
    } catch (ImageLockedException e) {
      return QemuHolder.outcome(false, e.getMessage(), Path.of(e.file()));
    } catch (IOException e) {
      return "other failure: " + e;
    }
  }

  private static List<Map<String, ?>> envs() {
    return List.of(Map.of(), Map.of("accessMode", "readWrite"), Map.of("accessMode", "readOnly"),
        Map.of("forceShare", true), Map.of("accessMode", "readOnly", "forceShare", "true"),
        Map.of("accessMode", "readOnly", "locking", false));
  }

  /** The qemu-io flags of the open that each env asks for; null for locking=false. */
  private static List<String> qemuFlags(Map<String, ?> env) {
    if (env.containsKey("locking")) {
      return null;
    }
    if (env.containsKey("forceShare")) {
      return List.of("-r", "-U");
    }
    return "readOnly".equals(env.get("accessMode")) ? List.of("-r") : List.of();
  }

  private String qemuOpen(List<String> flags) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-io"));
    cmd.addAll(flags);
    cmd.addAll(List.of("-f", "qcow2", "-c", "read 0 512", image.toString()));
    return outcome(image, cmd.toArray(String[]::new));
  }

  @Test
  void nextToQemuEachEnvOpensWhatQemuWould() throws IOException {
    for (List<String> holder : List.of(List.<String>of(), List.of("-r"), List.of("-r", "-U"))) {
      try (QemuHolder q = QemuHolder.start(image, "qcow2", holder, base)) {
        for (Map<String, ?> env : envs()) {
          List<String> flags = qemuFlags(env);
          String expected = flags == null ? "ok" : qemuOpen(flags);
          assertEquals(expected, open(env), env + " next to qemu-io " + holder);
        }
      }
    }
  }

  private List<String> probes() throws IOException {
    List<String> r = new ArrayList<>();
    r.add(outcome(image, "qemu-io", "-f", "qcow2", "-c", "read 0 512", image.toString()));
    r.add(outcome(image, "qemu-io", "-r", "-f", "qcow2", "-c", "read 0 512", image.toString()));
    r.add(outcome(image, "qemu-img", "info", image.toString()));
    r.add(outcome(image, "qemu-img", "info", "-U", image.toString()));
    r.add(outcome(base, "qemu-io", "-f", "qcow2", "-c", "read 0 512", base.toString()));
    return r;
  }

  @Test
  void nextToUsQemuOpensWhatItWouldNextToQemu() throws IOException {
    List<String> free = probes();
    for (Map<String, ?> env : envs()) {
      List<String> flags = qemuFlags(env);
      List<String> expected = free;
      if (flags != null) {
        try (QemuHolder q = QemuHolder.start(image, "qcow2", flags, base)) {
          expected = probes();
        }
      }
      try (FileSystem fs = FileSystems.newFileSystem(image, env)) {
        assertEquals(expected, probes(), "while the provider holds the image with " + env);
      }
      assertEquals(free, probes(), "after closing the file system opened with " + env);
    }
  }

  @Test
  void aSecondOpenInThisJvmLeavesTheFirstOnesLocks() throws IOException {
    String expected;
    try (QemuHolder q = QemuHolder.start(image, "qcow2", List.of(), base)) {
      expected = qemuOpen(List.of());
    }
    assertTrue(expected.startsWith("Failed"), expected);
    try (FileSystem fs = FileSystems.newFileSystem(image, Map.of())) {
      SortedSet<Integer> held = ProcLocks.ours(image);
      SortedSet<Integer> heldBase = ProcLocks.ours(base);
      // The provider reads the magic (opening and closing a channel) before it finds fs open.
      assertThrows(FileSystemAlreadyExistsException.class,
          () -> FileSystems.newFileSystem(image, Map.of()));
      assertEquals(held, ProcLocks.ours(image));
      assertEquals(heldBase, ProcLocks.ours(base));
      assertEquals(expected, qemuOpen(List.of()));
    }
  }
}
