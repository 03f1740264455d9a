package io.github.qcow2nio.examples;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code qcow2 convert} judged by qemu-img: every image it writes passes {@code qemu-img check}
 * (no errors, no leaks) and {@code qemu-img compare} against its source, and is at most as
 * allocated as {@code qemu-img convert}'s output for the same arguments (clusters for qcow2,
 * host blocks for raw). Errors exit as qemu-img's do.
 */
@Tag("qemu")
class ConvertAgainstQemuTest {
  @TempDir static Path dir;

  private static final List<List<String>> TARGETS = List.of(
      List.of("-O", "qcow2"),
      List.of("-O", "raw"),
      List.of("-O", "qcow2", "-o", "compat=0.10,cluster_size=4k"),
      List.of("-O", "qcow2", "-o",
          "extended_l2=on,compression_type=zstd,refcount_bits=1,cluster_size=32k"),
      List.of("-O", "qcow2", "-o", "cluster_size=512,refcount_bits=64,lazy_refcounts=on"));

  @BeforeAll
  static void makeImages() throws IOException {
    if (Qemu.available()) {
      ImageMatrix.make(dir);
    }
  }

  static Stream<Arguments> conversions() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : ImageMatrix.IMAGES) {
      for (int t = 0; t < TARGETS.size(); t++) {
        cases.add(Arguments.of(image, t));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("conversions")
  void convertsIntoImagesQemuImgAccepts(String image, int target) throws IOException {
    Qemu.assumeAvailable();
    List<String> options = TARGETS.get(target);
    boolean raw = options.get(1).equals("raw");
    Path ours = dir.resolve(image + "." + target + ".ours");
    Path theirs = dir.resolve(image + "." + target + ".qemu");
    List<String> args = new ArrayList<>(options);
    args.add(dir.resolve(image).toString());
    run(args, ours, theirs);
    if (!raw) {
      QemuJudge.Check check = QemuJudge.check(ours);
      assertTrue(check.clean(), check.output());
      QemuJudge.Check qemu = QemuJudge.check(theirs);
      assertTrue(check.allocated() <= qemu.allocated(),
          () -> "ours " + check.output() + " qemu " + qemu.output());
    } else {
      long oursBytes = HostAllocation.allocatedBlocks().allocatedBytes(ours);
      long theirsBytes = HostAllocation.allocatedBlocks().allocatedBytes(theirs);
      assertTrue(oursBytes <= theirsBytes, ours + ": " + oursBytes + " > " + theirsBytes);
    }
    Qemu.Result same = QemuJudge.compare(dir.resolve(image), ours);
    assertEquals(0, same.exitCode(), same.stdout() + same.stderr());
  }

  /** Runs our convert and qemu-img's on the same arguments: same stdout, same exit status. */
  private static void run(List<String> args, Path ours, Path theirs) throws IOException {
    List<String> mine = new ArrayList<>(List.of("convert"));
    mine.addAll(args);
    mine.add(ours.toString());
    ToolRun run = ToolRun.of(mine.toArray(String[]::new));
    List<String> qemu = new ArrayList<>(List.of("qemu-img", "convert"));
    qemu.addAll(args);
    qemu.add(theirs.toString());
    Qemu.Result expected = Qemu.run(qemu);
    assertEquals(expected.exitCode(), run.status(), () -> args + ": " + run.err() + " / "
        + expected.stderr());
    assertEquals(expected.stdout(), run.out(), args::toString);
  }

  @Test
  void snapshotBackingFileAndFullAllocation() throws IOException {
    Qemu.assumeAvailable();
    // -l: a snapshot's disk.
    Path snap = dir.resolve("snap.out");
    run(List.of("-O", "qcow2", "-l", "snapshot.name=s1", dir.resolve("snap.qcow2").toString()),
        snap, dir.resolve("snap.qemu"));
    Qemu.img("convert", "-O", "raw", "-l", "s1", dir.resolve("snap.qcow2").toString(),
        dir.resolve("s1.raw").toString());
    assertEquals(0, QemuJudge.compare(dir.resolve("s1.raw"), snap).exitCode());
    assertTrue(QemuJudge.check(snap).clean());

    // -B: only what the top layer allocates is copied; the rest shows through the backing file.
    Path over = dir.resolve("over.out");
    run(List.of("-O", "qcow2", "-B", "mid.qcow2", "-F", "qcow2",
        dir.resolve("top.qcow2").toString()), over, dir.resolve("over.qemu"));
    assertTrue(QemuJudge.check(over).clean());
    assertEquals(0, QemuJudge.compare(dir.resolve("top.qcow2"), over).exitCode());
    assertEquals(QemuJudge.check(dir.resolve("over.qemu")).allocated(),
        QemuJudge.check(over).allocated());

    // -S 0: every byte written, as qemu-img does.
    Path full = dir.resolve("full.out");
    run(List.of("-S", "0", "-O", "qcow2", dir.resolve("v3.qcow2").toString()), full,
        dir.resolve("full.qemu"));
    assertEquals(QemuJudge.check(dir.resolve("full.qemu")).allocated(),
        QemuJudge.check(full).allocated());
    assertEquals(0, QemuJudge.compare(dir.resolve("v3.qcow2"), full).exitCode());
  }

  @Test
  void noCreateOverwritesEveryByteOfAnExistingTarget() throws IOException {
    Qemu.assumeAvailable();
    for (String format : List.of("qcow2", "raw")) {
      Path target = dir.resolve("existing." + format);
      Qemu.img("create", "-f", format, target.toString(), "4M");
      Qemu.ok("qemu-io", "-f", format, "-c", "write -P 255 0 4M", target.toString());
      ToolRun run = ToolRun.ok("convert", "-n", "-O", format,
          dir.resolve("v3.qcow2").toString(), target.toString());
      assertEquals("", run.out());
      assertEquals(0, QemuJudge.compare(dir.resolve("v3.qcow2"), target).exitCode());
      if (format.equals("qcow2")) {
        assertTrue(QemuJudge.check(target).clean());
      }
    }
  }

  @Test
  void errorsExitAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    Path small = dir.resolve("small.qcow2");
    Qemu.img("create", "-f", "qcow2", small.toString(), "1M");
    String source = dir.resolve("v3.qcow2").toString();
    List<List<String>> cases = List.of(
        List.of("-n", "-O", "qcow2", source, small.toString()),
        List.of("-n", "-O", "qcow2", source, dir.resolve("none.qcow2").toString()),
        List.of("-O", "qcow2", dir.resolve("missing.qcow2").toString(),
            dir.resolve("x.qcow2").toString()),
        List.of("-O", "qcow2", "-o", "cluster_size=3k", source,
            dir.resolve("y.qcow2").toString()),
        List.of("-O", "qcow2", "-l", "nothere", dir.resolve("snap.qcow2").toString(),
            dir.resolve("z.qcow2").toString()),
        List.of("-O", "raw", "-B", "x", source, dir.resolve("w.raw").toString()),
        List.of(source));
    for (List<String> c : cases) {
      Qemu.Result expected = Qemu.run(concat(List.of("qemu-img", "convert"), c));
      ToolRun run = ToolRun.of(concat(List.of("convert"), c).toArray(String[]::new));
      assertEquals(expected.exitCode(), run.status(), c::toString);
      assertEquals(expected.stdout(), run.out(), c::toString);
      assertFalse(run.err().isEmpty(), c::toString);
    }
  }

  /**
   * {@code -c} stores the data clusters compressed, as qemu-img convert -c does: the image is
   * consistent, reads as its source, and is no larger than qemu-img's within 2% (the same bound
   * the core's compressed writes hold).
   */
  @Test
  void compressedAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    for (String type : List.of("zlib", "zstd")) {
      Path ours = dir.resolve("c-" + type + ".qcow2");
      Path theirs = dir.resolve("c-" + type + ".qemu.qcow2");
      Files.deleteIfExists(ours);
      Files.deleteIfExists(theirs);
      String source = dir.resolve("v3.qcow2").toString();
      ToolRun.ok("convert", "-c", "-O", "qcow2", "-o", "compression_type=" + type, source,
          ours.toString());
      Qemu.ok("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "compression_type=" + type,
          source, theirs.toString());
      QemuImg.Check c = QemuImg.check(ours);
      assertTrue(c.consistent(false), type + ": " + c);
      assertEquals(0, QemuJudge.compare(dir.resolve("v3.qcow2"), ours).exitCode(), type);
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("\"compressed-clusters\": (\\d+)").matcher(c.output());
      assertTrue(m.find() && Long.parseLong(m.group(1)) > 0,
          type + ": nothing stored compressed: " + c.output());
      long o = Files.size(ours);
      long q = Files.size(theirs);
      assertTrue(o <= q + q / 50, type + ": " + o + " bytes, qemu-img " + q);
    }
  }

  @Test
  void progressLineAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    ToolRun run = ToolRun.ok("convert", "-p", "-O", "raw", dir.resolve("v3.qcow2").toString(),
        dir.resolve("p.raw").toString());
    Qemu.Result expected = Qemu.run("qemu-img", "convert", "-p", "-O", "raw",
        dir.resolve("v3.qcow2").toString(), dir.resolve("p.qemu.raw").toString());
    // The steps in between depend on how the work is cut; the line's form, start and end do
    // not.
    String form = "(    \\(\\d{1,3}\\.\\d\\d/100%\\)\r)+\n";
    assertTrue(expected.stdout().matches(form), expected.stdout());
    assertTrue(run.out().matches(form), run.out());
    assertTrue(run.out().startsWith("    (0.00/100%)\r"));
    assertTrue(run.out().endsWith("    (100.00/100%)\r    (100.00/100%)\r\n"), run.out());
    assertTrue(expected.stdout().endsWith("    (100.00/100%)\r    (100.00/100%)\r\n"));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
