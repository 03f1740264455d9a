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
 * {@code qcow2 compare} against {@code qemu-img compare}: the same stdout and exit status (0, 1,
 * 2) for identical images, images that differ inside a sector, in data against zeros, in size
 * (with and without a non-zero tail), strict mode, quiet mode and unreadable images.
 */
@Tag("qemu")
class CompareAgainstQemuTest {
  @TempDir static Path dir;

  @BeforeAll
  static void makeImages() throws IOException {
    if (!Qemu.available()) {
      return;
    }
    ImageMatrix.make(dir);
    for (String image : ImageMatrix.IMAGES) {
      Qemu.img("convert", "-O", "raw", dir.resolve(image).toString(),
          dir.resolve(image + ".raw").toString());
    }
    Qemu.img("convert", "-O", "raw", "-l", "s1", dir.resolve("snap.qcow2").toString(),
        dir.resolve("s1.raw").toString());
    // Pairs that differ: one byte inside a sector, data against zeros, sizes.
    image("a.qcow2", "8M", "write -P 1 0 1M", "write -P 2 5M 64k");
    image("byte.qcow2", "8M", "write -P 1 0 1M", "write -P 2 5M 64k",
        "write -P 3 5243500 1");
    image("zeros.qcow2", "8M", "write -P 1 0 1M", "write -P 2 5M 64k", "write -z 512k 64k");
    image("moredata.qcow2", "8M", "write -P 1 0 1M", "write -P 2 5M 64k",
        "write -P 4 7M 64k");
    image("longer.qcow2", "9M", "write -P 1 0 1M", "write -P 2 5M 64k", "write -z 8M 64k");
    image("longer-data.qcow2", "9M", "write -P 1 0 1M", "write -P 2 5M 64k",
        "write -P 5 8700k 4k");
    image("shorter-diff.qcow2", "6M", "write -P 1 0 1M", "write -P 7 5M 64k");
  }

  private static void image(String name, String size, String... io) throws IOException {
    Path p = dir.resolve(name);
    Qemu.img("create", "-f", "qcow2", p.toString(), size);
    Qemu.io(p, io);
  }

  static Stream<Arguments> pairs() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : ImageMatrix.IMAGES) {
      cases.add(Arguments.of(List.of(image, image + ".raw")));
      cases.add(Arguments.of(List.of("-s", image, image)));
    }
    cases.add(Arguments.of(List.of("snap.qcow2", "s1.raw")));
    cases.add(Arguments.of(List.of("odd.raw.raw", "odd.raw")));
    cases.add(Arguments.of(List.of("-s", "odd.raw.raw", "odd.raw")));
    cases.add(Arguments.of(List.of("top.qcow2", "mid.qcow2")));
    cases.add(Arguments.of(List.of("v3.qcow2", "zstd.qcow2")));
    String[] others = {"byte.qcow2", "zeros.qcow2", "moredata.qcow2", "longer.qcow2",
        "longer-data.qcow2", "shorter-diff.qcow2"};
    for (String other : others) {
      cases.add(Arguments.of(List.of("a.qcow2", other)));
      cases.add(Arguments.of(List.of(other, "a.qcow2")));
      cases.add(Arguments.of(List.of("-s", "a.qcow2", other)));
    }
    cases.add(Arguments.of(List.of("-q", "a.qcow2", "byte.qcow2")));
    cases.add(Arguments.of(List.of("-q", "a.qcow2", "a.qcow2")));
    cases.add(Arguments.of(List.of("-f", "raw", "a.qcow2", "a.qcow2")));
    cases.add(Arguments.of(List.of("-F", "qcow2", "-f", "raw", "v3.qcow2.raw", "v3.qcow2")));
    cases.add(Arguments.of(List.of("a.qcow2", "missing.qcow2")));
    cases.add(Arguments.of(List.of("missing.qcow2", "a.qcow2")));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void comparesAsQemuImg(List<String> args) throws IOException {
    Qemu.assumeAvailable();
    List<String> resolved = new ArrayList<>();
    for (String a : args) {
      resolved.add(a.startsWith("-") || a.equals("raw") || a.equals("qcow2") ? a
          : dir.resolve(a).toString());
    }
    List<String> qemu = new ArrayList<>(List.of("qemu-img", "compare"));
    qemu.addAll(resolved);
    Qemu.Result expected = Qemu.run(qemu);
    List<String> ours = new ArrayList<>(List.of("compare"));
    ours.addAll(resolved);
    ToolRun run = ToolRun.of(ours.toArray(String[]::new));
    assertEquals(expected.stdout(), run.out(), () -> args + ": " + run.err());
    assertEquals(expected.exitCode(), run.status(), () -> args + ": " + run.err());
    assertEquals(expected.stderr().isEmpty(), run.err().isEmpty(), () -> args + ": "
        + expected.stderr() + " / " + run.err());
  }
}
