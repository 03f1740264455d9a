package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code qcow2 measure} against {@code qemu-img measure}: the same stdout and exit status for
 * every image of the matrix under several target options, human and JSON, from a snapshot, and
 * from {@code --size} (errors included).
 *
 * <p>QEMU counts holes of the host file as zeros; Java cannot see holes, so measure counts a
 * host block of 4 KiB that reads as zeros as a hole. The images here hold zeros only where the
 * file has holes (qemu-img and this library leave the unwritten part of a new cluster as a
 * hole); a file with zeros written out in full (measuring a qcow2 file itself with -f raw) is
 * the documented exception, not tested.
 */
@Tag("qemu")
class MeasureAgainstQemuTest {
  @TempDir static Path dir;

  private static final List<List<String>> TARGETS = List.of(
      List.of("--output=json", "-O", "qcow2"),
      List.of("-O", "qcow2"),
      List.of("--output=json", "-O", "qcow2", "-o", "cluster_size=4k,refcount_bits=1"),
      List.of("--output=json", "-O", "qcow2", "-o", "compat=0.10,cluster_size=512"),
      List.of("--output=json", "-O", "qcow2", "-o", "extended_l2=on,cluster_size=32k"),
      List.of("--output=json", "-O", "qcow2", "-o", "cluster_size=2M,refcount_bits=64"),
      List.of("--output=json", "-O", "qcow2", "-o", "preallocation=full"),
      List.of("--output=json", "-O", "qcow2", "-o", "backing_file=x.qcow2"),
      List.of("--output=json"),
      List.of("-O", "raw"));

  @BeforeAll
  static void makeImages() throws IOException {
    if (Qemu.available()) {
      ImageMatrix.make(dir);
    }
  }

  static Stream<Arguments> images() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : ImageMatrix.IMAGES) {
      for (List<String> target : TARGETS) {
        List<String> args = new ArrayList<>(target);
        args.add(image);
        cases.add(Arguments.of(args));
      }
    }
    cases.add(Arguments.of(List.of("-O", "qcow2", "-l", "s1", "snap.qcow2")));
    cases.add(Arguments.of(List.of("--output=json", "-O", "qcow2", "-l", "snapshot.name=s1",
        "snap.qcow2")));
    cases.add(Arguments.of(List.of("-O", "qcow2", "-l", "nothere", "snap.qcow2")));
    cases.add(Arguments.of(List.of("-O", "qcow2", "-f", "qcow2", "v2.qcow2")));
    cases.add(Arguments.of(List.of("-O", "qcow2", "missing.qcow2")));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void measuresImagesAsQemuImg(List<String> args) throws IOException {
    Qemu.assumeAvailable();
    List<String> resolved = new ArrayList<>(args);
    int last = resolved.size() - 1;
    resolved.set(last, dir.resolve(resolved.get(last)).toString());
    same(resolved);
  }

  static Stream<Arguments> sizes() {
    return Stream.of(
        Arguments.of(List.of("--size", "1G", "-O", "qcow2")),
        Arguments.of(List.of("--output=json", "--size", "100G", "-O", "qcow2", "-o",
            "cluster_size=512")),
        Arguments.of(List.of("--size", "1000001", "-O", "qcow2", "-o",
            "cluster_size=4k,refcount_bits=64")),
        Arguments.of(List.of("--size", "7T", "-O", "qcow2", "-o",
            "extended_l2=on,cluster_size=2M")),
        Arguments.of(List.of("--size", "0", "-O", "qcow2")),
        Arguments.of(List.of("--size", "1000001", "-O", "raw")),
        Arguments.of(List.of("--output=json", "--size", "1G")),
        Arguments.of(List.of("--size", "1G", "-O", "qcow2", "-o", "compat=0.10")),
        Arguments.of(List.of("--size", "1G", "-O", "qcow2", "-o", "preallocation=metadata")),
        // Errors: exit 1, nothing on stdout.
        Arguments.of(List.of("--size", "1G", "-O", "qcow2", "-o",
            "compat=0.10,refcount_bits=8")),
        Arguments.of(List.of("--size", "1G", "-O", "qcow2", "-o", "cluster_size=3k")),
        Arguments.of(List.of("--size", "1P", "-O", "qcow2", "-o", "cluster_size=512")),
        Arguments.of(List.of("-O", "qcow2")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sizes")
  void measuresSizesAsQemuImg(List<String> args) throws IOException {
    Qemu.assumeAvailable();
    same(args);
  }

  private static void same(List<String> args) throws IOException {
    List<String> qemu = new ArrayList<>(List.of("qemu-img", "measure"));
    qemu.addAll(args);
    Qemu.Result expected = Qemu.run(qemu);
    List<String> ours = new ArrayList<>(List.of("measure"));
    ours.addAll(args);
    ToolRun run = ToolRun.of(ours.toArray(String[]::new));
    assertEquals(expected.stdout(), run.out(), () -> args + ": " + run.err());
    assertEquals(expected.exitCode(), run.status(), () -> args + ": " + run.err());
    assertEquals(expected.stderr().isEmpty(), run.err().isEmpty(), () -> args + ": "
        + expected.stderr() + " / " + run.err());
  }
}
