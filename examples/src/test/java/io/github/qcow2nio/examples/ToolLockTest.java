package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.ProcLocks;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuHolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** The tool's info and map next to a running qemu-io, with and without -U, as qemu-img's. */
@Tag("qemu")
class ToolLockTest {
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
    Qemu.io(base, "write -P 9 0 64k");
    Qemu.img("create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", image.toString());
  }

  /** Exit status and error text of a run, with the program's name taken off its messages. */
  private record Ran(boolean ok, String err) {}

  private static Ran qemuImg(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img"));
    cmd.addAll(List.of(args));
    Qemu.Result r = Qemu.run(cmd);
    return new Ran(r.exitCode() == 0, r.stderr().replace("qemu-img: ", ""));
  }

  private static Ran tool(String... args) {
    ToolRun r = ToolRun.of(args);
    return new Ran(r.status() == 0, r.err().replace("qcow2: ", ""));
  }

  private List<String[]> commands() {
    String img = image.toString();
    return List.of(new String[] {"info", img}, new String[] {"info", "-U", img},
        new String[] {"info", "--force-share", img},
        new String[] {"info", "--backing-chain", img},
        new String[] {"info", "--backing-chain", "-U", img},
        new String[] {"map", "--output=json", img}, new String[] {"map", "-U", "--output=json", img});
  }

  @Test
  void nextToQemuIoTheToolFailsAndSharesAsQemuImg() throws IOException {
    List<String> unheld = new ArrayList<>();
    for (String[] c : commands()) {
      unheld.add(ToolRun.of(c).out());
    }
    for (List<String> holder : List.of(List.<String>of(), List.of("-r"), List.of("-r", "-U"))) {
      try (QemuHolder q = QemuHolder.start(image, "qcow2", holder, base)) {
        boolean someFailed = false;
        List<String[]> commands = commands();
        for (int i = 0; i < commands.size(); i++) {
          String[] c = commands.get(i);
          Ran expected = qemuImg(c);
          Ran actual = tool(c);
          assertEquals(expected, actual, String.join(" ", c) + " next to qemu-io " + holder);
          if (actual.ok()) {
            assertEquals(unheld.get(i), ToolRun.of(c).out(), String.join(" ", c));
          }
          someFailed |= !actual.ok();
        }
        assertTrue(someFailed || !holder.isEmpty(), "a writer blocked nobody");
      }
    }
  }

  @Test
  void theToolLeavesNoLocksBehind() throws IOException {
    assertTrue(tool("info", image.toString()).ok());
    assertTrue(tool("map", image.toString()).ok());
    assertTrue(ProcLocks.ours(image).isEmpty() && ProcLocks.ours(base).isEmpty());
  }

  @Test
  void usageNamesForceShare() {
    assertTrue(ToolRun.of("help").out().contains("-U, --force-share"));
  }
}
