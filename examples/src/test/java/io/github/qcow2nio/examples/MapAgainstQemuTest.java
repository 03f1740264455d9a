package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.testing.Qemu;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * {@code qcow2 map} against {@code qemu-img map}, human and JSON, byte for byte.
 *
 * <p>qemu-img also asks the host file system where files have holes and may report holes as
 * zeros; Java cannot see holes. So these images have none where it matters: clusters are written
 * whole (or whole subclusters), and raw files are written out in full rather than left sparse.
 * That is the one thing arranged rather than compared.
 */
@Tag("qemu")
class MapAgainstQemuTest {
  @TempDir static Path dir;

  private static final List<String> IMAGES = List.of("plain.qcow2", "extl2.qcow2", "v2.qcow2",
      "small.qcow2", "datafile.qcow2", "top.qcow2", "sub/mid.qcow2", "sub/base.raw",
      "odd.raw", "over-odd.qcow2", "data-only.qcow2", "empty.qcow2");

  @BeforeAll
  static void makeImages() throws IOException {
    if (Qemu.run("qemu-img", "--version").exitCode() != 0) {
      return;
    }
    Path plain = img("plain.qcow2");
    Qemu.img("create", "-f", "qcow2", plain.toString(), "4M");
    Qemu.io(plain, "write -P 1 0 64k", "write -P 2 64k 64k", "write -z 256k 128k",
        "write -c -P 3 512k 64k", "write -P 5 1M 192k", "write -z 1088k 64k",
        "write -z -u 1152k 64k", "write -P 6 4032k 64k");
    Qemu.img("snapshot", "-c", "s", plain.toString());

    Path extl2 = img("extl2.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "extended_l2=on", extl2.toString(), "4M");
    Qemu.io(extl2, "write -P 1 0 4k", "write -z 64k 4k", "write -P 2 128k 128k",
        "write -z 128k 8k", "write -z -u 160k 8k", "write -P 3 1M 2k");

    Path v2 = img("v2.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "compat=0.10", v2.toString(), "2M");
    Qemu.io(v2, "write -P 1 0 64k", "write -P 1 1M 128k");

    Path small = img("small.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "cluster_size=512", small.toString(), "1M");
    Qemu.io(small, "write -P 1 0 100k", "write -z 100k 50k", "write -P 2 300k 1k",
        "write -P 4 1000k 24k");

    Path datafile = img("datafile.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "data_file=" + img("datafile.bin"),
        datafile.toString(), "4M");
    Qemu.io(datafile, "write -P 1 0 64k", "write -P 2 1M 128k", "write -z 2M 64k");

    // top.qcow2 (3M) -> sub/mid.qcow2 (2M) -> sub/base.raw (2M, no holes), relative names.
    Files.createDirectories(dir.resolve("sub"));
    byte[] base = new byte[2 << 20];
    new Random(7).nextBytes(base);
    Files.write(img("sub/base.raw"), base);
    Qemu.img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
        img("sub/mid.qcow2").toString());
    Qemu.io(img("sub/mid.qcow2"), "write -P 3 64k 64k", "write -z 512k 64k");
    Qemu.img("create", "-f", "qcow2", "-b", "sub/mid.qcow2", "-F", "qcow2",
        img("top.qcow2").toString(), "3M");
    Qemu.io(img("top.qcow2"), "write -P 5 2560k 64k", "write -z 128k 64k",
        "write -P 6 576k 64k");

    // A raw file that ends inside a sector, alone and as a backing file.
    byte[] odd = new byte[1000];
    new Random(8).nextBytes(odd);
    Files.write(img("odd.raw"), odd);
    Qemu.img("create", "-f", "qcow2", "-b", "odd.raw", "-F", "raw",
        img("over-odd.qcow2").toString(), "4k");

    Path dataOnly = img("data-only.qcow2");
    Qemu.img("create", "-f", "qcow2", dataOnly.toString(), "1M");
    Qemu.io(dataOnly, "write -P 9 0 1M");

    Qemu.img("create", "-f", "qcow2", img("empty.qcow2").toString(), "16M");
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : IMAGES) {
      cases.add(Arguments.of(image, "--output=json"));
      cases.add(Arguments.of(image, "--output=human"));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void printsWhatQemuImgPrints(String image, String mode) throws IOException {
    Qemu.assumeAvailable();
    Qemu.Result expected = Qemu.run("qemu-img", "map", mode, img(image).toString());
    ToolRun run = ToolRun.of("map", mode, img(image).toString());
    assertEquals(expected.stdout(), run.out());
    assertEquals(expected.exitCode(), run.status());
    // qemu-img's one error here (compressed data in human mode), under our prefix.
    assertEquals(expected.stderr().replace("qemu-img: ", "qcow2: "), run.err());
  }

  static Stream<Arguments> ranges() {
    List<Arguments> cases = new ArrayList<>();
    String[][] ranges = {{"--start-offset=100000", "--max-length=1M"},
        {"--start-offset", "1.5M", "--max-length", "0.5k"}, {"--start-offset=1k"},
        {"--max-length=70000"}, {"--max-length=0"}, {"--start-offset=5G"},
        {"--start-offset=2560k", "--max-length=64k"}};
    for (String image : List.of("plain.qcow2", "top.qcow2", "extl2.qcow2")) {
      for (String[] range : ranges) {
        for (String mode : List.of("--output=json", "--output=human")) {
          cases.add(Arguments.of(image, mode, List.of(range)));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("ranges")
  void rangesAsQemuImgTakesThem(String image, String mode, List<String> range)
      throws IOException {
    Qemu.assumeAvailable();
    List<String> args = new ArrayList<>(List.of("map", mode));
    args.addAll(range);
    args.add(img(image).toString());
    List<String> qemu = new ArrayList<>(List.of("qemu-img"));
    qemu.addAll(args);
    Qemu.Result expected = Qemu.run(qemu.toArray(String[]::new));
    ToolRun run = ToolRun.of(args.toArray(String[]::new));
    assertEquals(expected.stdout(), run.out());
    assertEquals(expected.exitCode(), run.status());
    assertEquals(expected.stderr().replace("qemu-img: ", "qcow2: "), run.err());
  }

  @Test
  void compressedDataStopsTheHumanTable() throws IOException {
    Qemu.assumeAvailable();
    Qemu.Result expected = Qemu.run("qemu-img", "map", img("plain.qcow2").toString());
    assertEquals(1, expected.exitCode(), "the test image must have a compressed cluster");
    ToolRun run = ToolRun.of("map", img("plain.qcow2").toString());
    assertEquals(1, run.status());
    assertEquals(expected.stdout(), run.out());
    assertEquals("qcow2: File contains external, encrypted or compressed clusters.\n", run.err());
  }

  private static Path img(String name) {
    return dir.resolve(name);
  }
}
