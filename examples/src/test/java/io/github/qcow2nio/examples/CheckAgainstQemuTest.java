package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.Damage;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * {@code qcow2 check} against {@code qemu-img check}: stdout byte for byte (human and JSON,
 * repairs included), stderr (its messages, under our prefix) and the exit status, on clean and
 * damaged images. Each tool runs on a fresh copy of the same file at the same path, since the
 * JSON names the file and a repair changes it.
 */
@Tag("qemu")
class CheckAgainstQemuTest {
  @TempDir static Path seeds;
  @TempDir Path work;

  @BeforeAll
  static void makeImages() throws IOException {
    if (!Qemu.available()) {
      return;
    }
    Path clean = seeds.resolve("clean.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", clean.toString(), "64M");
    Qemu.io(clean, "write -P 1 0 1M", "write -c -P 2 2M 64k", "write -z 3M 64k",
        "write -P 3 5M 4k", "write -P 4 40M 128k");
    Path snap = seeds.resolve("snapshot.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", snap.toString(), "4M");
    Qemu.io(snap, "write -P 1 0 100k", "write -c -P 2 200k 4k");
    Qemu.img("snapshot", "-c", "s1", snap.toString());
    Qemu.io(snap, "write -P 3 8k 8k");
    for (Damage d : List.of(Damage.LEAK, Damage.REFCOUNT_HIGH, Damage.REFCOUNT_LOW,
        Damage.REFCOUNT_ZERO, Damage.COPIED_L2, Damage.COPIED_L1, Damage.PAST_END,
        Damage.UNALIGNED, Damage.OVERLAP_REFBLOCK)) {
      Path img = seeds.resolve(d.name().toLowerCase() + ".qcow2");
      Files.copy(snap, img);
      d.apply(img);
    }
    Files.write(seeds.resolve("disk.raw"), new byte[1 << 20]);
  }

  static Stream<Arguments> cases() {
    List<Arguments> a = new ArrayList<>();
    List<String> images = List.of("clean", "snapshot", "leak", "refcount_high", "refcount_low",
        "refcount_zero", "copied_l2", "copied_l1", "past_end", "unaligned", "overlap_refblock");
    for (String image : images) {
      for (String output : List.of("--output=human", "--output=json")) {
        a.add(Arguments.of(image, List.of(output)));
        if (!image.equals("clean") && !image.equals("snapshot")) {
          a.add(Arguments.of(image, List.of(output, "-r", "leaks")));
          a.add(Arguments.of(image, List.of("-r", "all", output)));
        }
      }
    }
    a.add(Arguments.of("leak", List.of("-q")));
    a.add(Arguments.of("refcount_low", List.of("-q", "-r", "all")));
    a.add(Arguments.of("clean", List.of("-U", "-f", "qcow2")));
    return a.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void printsWhatQemuImgPrints(String image, List<String> options) throws IOException {
    Qemu.assumeAvailable();
    Path img = work.resolve(image + ".qcow2");
    Files.copy(seeds.resolve(image + ".qcow2"), img, StandardCopyOption.REPLACE_EXISTING);
    List<String> qemu = new ArrayList<>(List.of("qemu-img", "check"));
    qemu.addAll(options);
    qemu.add(img.toString());
    Qemu.Result expected = Qemu.run(qemu);
    Files.copy(seeds.resolve(image + ".qcow2"), img, StandardCopyOption.REPLACE_EXISTING);
    List<String> args = new ArrayList<>(List.of("check"));
    args.addAll(options);
    args.add(img.toString());
    ToolRun run = ToolRun.of(args.toArray(String[]::new));
    assertEquals(expected.stdout(), run.out(), "stdout");
    assertEquals(expected.stderr().replace("qemu-img: ", "qcow2: "), run.err(), "stderr");
    assertEquals(expected.exitCode(), run.status(), "exit status");
  }

  @Test
  void rawImagesCannotBeChecked() throws IOException {
    Qemu.assumeAvailable();
    for (List<String> args : List.of(List.of(seeds.resolve("disk.raw").toString()),
        List.of("-f", "raw", seeds.resolve("clean.qcow2").toString()))) {
      List<String> qemu = new ArrayList<>(List.of("qemu-img", "check"));
      qemu.addAll(args);
      Qemu.Result expected = Qemu.run(qemu);
      List<String> ours = new ArrayList<>(List.of("check"));
      ours.addAll(args);
      ToolRun run = ToolRun.of(ours.toArray(String[]::new));
      assertEquals(63, expected.exitCode(), expected.stderr());
      assertEquals(expected.exitCode(), run.status());
      assertEquals(expected.stdout(), run.out());
      assertEquals(expected.stderr().replace("qemu-img: ", "qcow2: "), run.err());
    }
  }

  @Test
  void aWrongRepairModeIsAUsageError() {
    ToolRun run = ToolRun.of("check", "-r", "some", "x.qcow2");
    assertEquals(1, run.status());
    assertEquals("qcow2: check: Unknown option value for -r (expecting 'leaks' or 'all'): some",
        run.err().lines().findFirst().orElse(""));
  }
}
