package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code qcow2 dd} judged by qemu-img dd on the same inputs: the same exit status, stdout and
 * stderr, and the same output: byte for byte for raw outputs; for qcow2 outputs the same guest
 * bytes, size and allocation ({@code qemu-img compare -s}), as many clusters allocated, and
 * {@code qemu-img check} clean.
 */
@Tag("qemu")
class DdAgainstQemuTest {
  @TempDir static Path dir;

  /** Inputs: qcow2 over the option matrix, a backing chain, a snapshot, raw files. */
  private static final List<String> INPUTS = List.of("v3.qcow2", "c512.qcow2", "extl2.qcow2",
      "zstd.qcow2", "top.qcow2", "datafile.qcow2", "snap.qcow2", "ours.qcow2", "sparse.raw",
      "odd.raw");

  /** Operand sets: whole disks, block sizes, skip and count, count past the end, skip past it. */
  private static final List<List<String>> OPERANDS = List.of(
      List.of(),
      List.of("bs=4k"),
      List.of("bs=64k", "count=10"),
      List.of("bs=1k", "skip=100", "count=300"),
      List.of("bs=3000", "skip=2", "count=5"),
      List.of("bs=1M", "count=100"),
      List.of("bs=1.5k", "skip=1k"),
      List.of("skip=1", "count=1"),
      List.of("bs=1k", "skip=100000"),
      List.of("bs=512k", "skip=1", "count=3"));

  @BeforeAll
  static void makeImages() throws IOException {
    if (Qemu.available()) {
      ImageMatrix.make(dir);
    }
  }

  static Stream<Arguments> copies() {
    List<Arguments> cases = new ArrayList<>();
    for (int i = 0; i < INPUTS.size(); i++) {
      for (int o = 0; o < OPERANDS.size(); o++) {
        // Each input and each operand set meets both output formats.
        cases.add(Arguments.of(INPUTS.get(i), o, (i + o) % 2 == 0 ? "raw" : "qcow2"));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} -O {2}")
  @MethodSource("copies")
  void copiesAsQemuImgDd(String input, int operands, String format) throws IOException {
    Qemu.assumeAvailable();
    String name = input + "." + operands + "." + format;
    Path ours = dir.resolve(name + ".ours");
    Path theirs = dir.resolve(name + ".qemu");
    List<String> args = new ArrayList<>(List.of("dd", "-O", format));
    args.addAll(OPERANDS.get(operands));
    args.add("if=" + dir.resolve(input));
    Qemu.Result expected = run(args, theirs, ours);
    assertEquals(0, expected.exitCode(), expected.stderr());
    if (format.equals("raw")) {
      assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), name);
      return;
    }
    QemuJudge.Check check = QemuJudge.check(ours);
    assertTrue(check.clean(), check.output());
    assertEquals(QemuJudge.check(theirs).allocated(), check.allocated(), name);
    Qemu.Result same = Qemu.run("qemu-img", "compare", "-s", theirs.toString(),
        ours.toString());
    assertEquals(0, same.exitCode(), same.stdout() + same.stderr());
  }

  /** qemu-img dd and ours, each with its own output: same status, stdout and stderr. */
  private static Qemu.Result run(List<String> args, Path theirs, Path ours) throws IOException {
    List<String> qemu = new ArrayList<>(List.of("qemu-img"));
    qemu.addAll(args);
    qemu.add("of=" + theirs);
    Qemu.Result expected = Qemu.run(qemu);
    List<String> mine = new ArrayList<>(args);
    mine.add("of=" + ours);
    ToolRun run = ToolRun.of(mine.toArray(String[]::new));
    String what = String.join(" ", args) + "\nqemu-img: " + expected.stderr() + "\nqcow2: "
        + run.err();
    assertEquals(expected.exitCode(), run.status(), what);
    assertEquals(expected.stdout(), run.out(), what);
    assertEquals(expected.stderr().replace("qemu-img: ", "qcow2: ").replace(theirs.toString(),
        ours.toString()), run.err(), what);
    return expected;
  }

  /** Mistakes and failures, and successes with a warning, in qemu-img's words. */
  private static final String[][] CASES = {
      {"dd"},
      {"dd", "if=IMG"},
      {"dd", "of=IMG.o"},
      {"dd", "bs=0", "foo=1", "if=IMG", "of=IMG.o"},
      {"dd", "foo=1", "bs=0", "if=IMG", "of=IMG.o"},
      {"dd", "bs=2G", "if=IMG", "of=IMG.o"},
      {"dd", "bs=1x", "if=IMG", "of=IMG.o"},
      {"dd", "bs=", "if=IMG", "of=IMG.o"},
      {"dd", "bs=-1", "if=IMG", "of=IMG.o"},
      {"dd", "count=-1", "if=IMG", "of=IMG.o"},
      {"dd", "count=1.5", "if=IMG", "of=IMG.o"},
      {"dd", "count=8E", "if=IMG", "of=IMG.o"},
      {"dd", "skip=16E", "if=IMG", "of=IMG.o"},
      {"dd", "bs", "if=IMG", "of=IMG.o"},
      {"dd", "=x", "if=IMG", "of=IMG.o"},
      {"dd", "conv=notrunc", "if=IMG", "of=IMG.o"},
      {"dd", "if=IMG", "of=IMG.o", "extra"},
      {"dd", "-x", "if=IMG", "of=IMG.o"},
      {"dd", "if=IMG", "of=IMG.o", "-O"},
      {"dd", "-O", "foo", "if=IMG", "of=IMG.o"},
      {"dd", "-O", "foo", "if=IMG.none", "of=IMG.o"},
      {"dd", "-f", "foo", "if=IMG.none", "of=IMG.o"},
      {"dd", "if=IMG.none", "of=IMG.o"},
      {"dd", "if=", "of=IMG.o"},
      {"dd", "if=IMG", "of=IMG.none/o"},
      {"dd", "--image-opts", "-f", "qcow2", "if=driver=qcow2,file.filename=IMG", "of=IMG.o"},
      {"dd", "bs=1k", "skip=10", "count=3", "if=IMG", "of=IMG.o"},
      {"dd", "bs=1k", "skip=1025", "if=IMG", "of=IMG.o"},
      {"dd", "skip=1E", "if=IMG", "of=IMG.o"},
      {"dd", "bs=1k", "skip=1024", "if=IMG", "of=IMG.o"},
      {"dd", "bs=2147483647", "count=0", "if=IMG", "of=IMG.o"},
      {"dd", "bs=0x10", "count=1k", "if=IMG", "of=IMG.o"},
      {"dd", "bs=1k", "bs=2k", "count=1", "if=IMG", "of=IMG.o"},
      {"dd", "-U", "-f", "qcow2", "-O", "raw", "count=1k", "if=IMG", "of=IMG.o"},
      {"dd", "--image-opts", "if=driver=qcow2,file.filename=IMG", "of=IMG.o", "bs=4k"},
  };

  @Test
  void mistakesAndWarningsReadAsQemuImgsDo(@TempDir Path tmp) throws IOException {
    Qemu.assumeAvailable();
    QemuParity p = new QemuParity(tmp);
    p.both("create", "-q", "-f", "qcow2", "DIR/a.qcow2", "1M");
    p.io("a.qcow2", "write -P 17 0 64k", "write -P 34 512k 4k");
    List<Executable> checks = new ArrayList<>();
    for (String[] args : CASES) {
      checks.add(() -> {
        Files.deleteIfExists(p.qemuDir.resolve("a.qcow2.o"));
        Files.deleteIfExists(p.toolDir.resolve("a.qcow2.o"));
        p.compare("a.qcow2", args);
        p.sameFile("a.qcow2.o", String.join(" ", args));
      });
    }
    assertAll(checks);
  }

  @Test
  void anExistingOutputIsReplaced() throws IOException {
    Qemu.assumeAvailable();
    Path out = dir.resolve("replaced.qcow2");
    Qemu.img("create", "-f", "qcow2", out.toString(), "8M");
    Qemu.io(out, "write -P 255 0 8M");
    ToolRun run = ToolRun.ok("dd", "-O", "qcow2", "bs=64k", "count=3",
        "if=" + dir.resolve("v3.qcow2"), "of=" + out);
    assertEquals("", run.out());
    assertTrue(QemuJudge.check(out).clean());
    Path expected = dir.resolve("replaced.raw");
    Qemu.img("dd", "bs=64k", "count=3", "if=" + dir.resolve("v3.qcow2"), "of=" + expected);
    assertEquals(0, QemuJudge.compare(expected, out).exitCode());
    assertEquals(3 * 65536, Files.size(expected));
  }
}
