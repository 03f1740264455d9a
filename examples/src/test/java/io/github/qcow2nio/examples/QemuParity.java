package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One command line run by qemu-img in one directory and by the tool in another, on files set up
 * alike: the exit status, stdout and stderr must be the same (qemu-img's "qemu-img:" being the
 * tool's "qcow2:", and the directories swapped), and so must the bytes of the files named.
 */
final class QemuParity {
  final Path qemuDir;
  final Path toolDir;

  QemuParity(Path dir) throws IOException {
    this.qemuDir = Files.createDirectories(dir.resolve("qemu"));
    this.toolDir = Files.createDirectories(dir.resolve("tool"));
  }

  /** Both sides in {@code dir}, each holding a copy of every file beside {@code seed}. */
  static QemuParity seeded(Path seed, Path dir) throws IOException {
    QemuParity p = new QemuParity(dir);
    for (Path side : List.of(p.qemuDir, p.toolDir)) {
      try (var files = Files.list(seed.getParent())) {
        for (Path f : files.toList()) {
          if (Files.isRegularFile(f)) {
            Files.copy(f, side.resolve(f.getFileName()));
          }
        }
      }
    }
    return p;
  }

  /** Runs {@code qemu-img args} and {@code qcow2 args}, IMG standing for each side's image. */
  ToolRun compare(String image, String... args) throws IOException {
    List<String> q = new ArrayList<>(List.of("qemu-img"));
    List<String> t = new ArrayList<>();
    for (String a : args) {
      q.add(a.replace("IMG", qemuDir.resolve(image).toString()));
      t.add(a.replace("IMG", toolDir.resolve(image).toString()));
    }
    Qemu.Result expected = Qemu.run(q, qemuDir);
    ToolRun run = ToolRun.of(t.toArray(String[]::new));
    String what = String.join(" ", args) + "\nqemu-img: " + expected.stdout() + expected.stderr()
        + "\nqcow2: " + run.out() + run.err();
    assertEquals(expected.exitCode(), run.status(), what);
    assertEquals(tool(expected.stdout()), run.out(), what);
    assertEquals(tool(expected.stderr()), run.err(), what);
    return run;
  }

  /** qemu-img's text as the tool prints it. */
  String tool(String qemuText) {
    return qemuText.replace(qemuDir.toString(), toolDir.toString())
        .replace("qemu-img: ", "qcow2: ")
        .replace("Try 'qemu-img --help'", "Try 'qcow2 --help'");
  }

  /** The file {@code name} holds the same bytes on both sides (or is absent on both). */
  void sameFile(String name, String what) throws IOException {
    Path q = qemuDir.resolve(name);
    Path t = toolDir.resolve(name);
    assertEquals(Files.exists(q), Files.exists(t), what + ": " + name + " exists");
    if (Files.exists(q)) {
      assertArrayEquals(Files.readAllBytes(q), Files.readAllBytes(t), what + ": " + name);
    }
  }

  /** Runs {@code qemu-img args} in both directories, to set up the same files on each side. */
  void both(String... args) throws IOException {
    for (Path dir : List.of(qemuDir, toolDir)) {
      List<String> q = new ArrayList<>(List.of("qemu-img"));
      for (String a : args) {
        q.add(a.replace("DIR", dir.toString()));
      }
      Qemu.Result r = Qemu.run(q, dir);
      assertEquals(0, r.exitCode(), q + ": " + r.stderr());
    }
  }

  /** Runs {@code qemu-io} on the image in both directories. */
  void io(String image, String... commands) throws IOException {
    Qemu.io(qemuDir.resolve(image), commands);
    Qemu.io(toolDir.resolve(image), commands);
  }
}
