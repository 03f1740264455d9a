package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qcow2 snapshot} against {@code qemu-img snapshot}: the same image (made once by qemu-img,
 * with two snapshots, and copied to both sides) gets the same command line from both tools; the
 * exit status, stdout and stderr must be the same, and so must the images as {@code qemu-img info
 * --output=json} and {@code snapshot -l} show them (dates of snapshots made by the two tools
 * aside), their guest contents ({@code qemu-img compare}), and {@code qemu-img check} must find
 * nothing wrong with ours. Over an option matrix: v2 and v3, cluster sizes, refcount widths,
 * extended L2, zstd, a backing file, an external data file, a persistent bitmap.
 */
@Tag("qemu")
class SnapshotAgainstQemuTest {
  @TempDir Path dir;

  /** How the image is made: qemu-img create's options. */
  static final String[][] MATRIX = {
      {},
      {"-o", "compat=0.10"},
      {"-o", "cluster_size=512"},
      {"-o", "cluster_size=2M"},
      // Two snapshots and the active disk share clusters: 4-bit refcounts hold that, 1-bit not.
      {"-o", "refcount_bits=4,cluster_size=4k"},
      {"-o", "extended_l2=on"},
      {"-o", "compression_type=zstd"},
      {"-o", "lazy_refcounts=on"},
  };

  /** Each run on a fresh copy of the image; IMG is the image. */
  static final String[][] CASES = {
      {"-l", "IMG"},
      {"-q", "-l", "IMG"},
      {"-U", "-l", "IMG"},
      {"-a", "s1", "IMG"},
      {"-a", "2", "IMG"},
      {"-a", "nope", "IMG"},
      {"-d", "s1", "IMG"},
      {"-d", "1", "IMG"},
      {"-d", "nope", "IMG"},
      {"-q", "-d", "s2", "IMG"},
      {"IMG"},
      {"-l", "-c", "x", "IMG"},
      {"-c", "x", "-c", "y", "IMG"},
      {"-l"},
      {"-l", "IMG", "extra"},
      {"-U", "-c", "x", "IMG"},
      {"-U", "IMG"},
      {"--image-opts", "-l", "driver=qcow2,file.filename=IMG"},
      {"--object", "secret,id=s0,data=x", "-l", "IMG"},
      {"-x", "IMG"},
      {"-f", "qcow2", "-l", "IMG"},
      {"-l", "nofile.qcow2"},
      {"-c", "x", "nofile.qcow2"},
  };

  private Path made(Path where, String[] options) throws IOException {
    Files.createDirectories(where);
    Path img = where.resolve("a.qcow2");
    List<String> c = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
    c.addAll(List.of(options));
    c.add(img.toString());
    c.add("4M");
    Qemu.img(c.toArray(String[]::new));
    Qemu.io(img, "write -P 0x11 0 64k");
    Qemu.img("snapshot", "-c", "s1", img.toString());
    Qemu.io(img, "write -P 0x22 32k 64k", "write -P 0x33 1M 4k");
    Qemu.img("snapshot", "-c", "s2", img.toString());
    Qemu.io(img, "write -P 0x44 2M 8k");
    return img;
  }

  /** What runs on the other layouts of the matrix: the four actions (the full list on one). */
  static final String[][] MATRIX_CASES = {
      {"-l", "IMG"}, {"-a", "s1", "IMG"}, {"-d", "s2", "IMG"}, {"-a", "nope", "IMG"},
  };

  @Test
  void existingSnapshotsAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int m = 0;
    for (String[] options : MATRIX) {
      Path seed = made(dir.resolve("seed" + m), options);
      int n = 0;
      for (String[] c : m == 0 ? CASES : MATRIX_CASES) {
        Path sub = dir.resolve("m" + m + "c" + n++);
        checks.add(() -> runCase(seed, sub, c, false));
      }
      m++;
    }
    assertAll(checks);
  }

  /** Creation: the new snapshots' dates differ, everything else is compared. */
  @Test
  void createdSnapshotsAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    String[][] cases = {
        {"-c", "x", "IMG"},
        {"-c", "s1", "IMG"},
        {"-q", "-c", "x", "IMG"},
        {"-c", "n".repeat(300), "IMG"},
        {"-c", "", "IMG"},
        {"-c", "\u00e9t\u00e9", "IMG"},
        {"--image-opts", "-c", "x", "driver=qcow2,file.filename=IMG"},
    };
    int m = 0;
    for (String[] options : MATRIX) {
      Path seed = made(dir.resolve("seed" + m), options);
      int n = 0;
      // Every name on the default layout; one creation on the others.
      for (String[] c : m == 0 ? cases : new String[][] {cases[0]}) {
        Path sub = dir.resolve("m" + m + "c" + n++);
        checks.add(() -> runCase(seed, sub, c, true));
      }
      m++;
    }
    assertAll(checks);
  }

  /** A backing file, an external data file (snapshots refused), bitmaps (no revert). */
  @Test
  void chainsDataFilesAndBitmapsAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    Path chain = dir.resolve("chain");
    Files.createDirectories(chain);
    Qemu.img("create", "-q", "-f", "qcow2", chain.resolve("base.qcow2").toString(), "4M");
    Qemu.io(chain.resolve("base.qcow2"), "write -P 0x55 0 1M");
    Path top = made(chain.resolve("t"), new String[] {"-b", chain.resolve("base.qcow2")
        .toString(), "-F", "qcow2"});
    Path bitmaps = made(dir.resolve("bm"), new String[] {});
    Qemu.img("bitmap", "--add", bitmaps.toString(), "b");
    Path data = dir.resolve("df");
    Files.createDirectories(data);
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + data.resolve("a.raw"),
        data.resolve("a.qcow2").toString(), "4M");
    String[][] cases = {
        {"-l", "IMG"}, {"-a", "s1", "IMG"}, {"-d", "s2", "IMG"}, {"-c", "x", "IMG"},
    };
    int n = 0;
    for (Path seed : List.of(top, bitmaps, data.resolve("a.qcow2"))) {
      for (String[] c : cases) {
        Path sub = dir.resolve("x" + n++);
        checks.add(() -> runCase(seed, sub, c, c[0].equals("-c")));
      }
    }
    assertAll(checks);
  }

  /** A raw image has no snapshots: -l lists none, changes fail as qemu-img's fail. */
  @Test
  void rawImagesAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    Files.write(raw.resolve("a.qcow2"), new byte[1 << 20]);
    String[][] cases = {
        {"-l", "IMG"}, {"-c", "x", "IMG"}, {"-a", "x", "IMG"}, {"-d", "x", "IMG"}, {"IMG"},
        {"--image-opts", "-c", "x", "driver=raw,file.filename=IMG"},
    };
    int n = 0;
    for (String[] c : cases) {
      Path sub = dir.resolve("r" + n++);
      checks.add(() -> runCase(raw.resolve("a.qcow2"), sub, c, false));
    }
    assertAll(checks);
  }

  private void runCase(Path seed, Path sub, String[] c, boolean creates) throws IOException {
    QemuParity p = QemuParity.seeded(seed, sub);
    String image = seed.getFileName().toString();
    List<String> args = new ArrayList<>(List.of("snapshot"));
    args.addAll(List.of(c));
    String what = String.join(" ", args) + " on " + seed;
    p.compare(image, args.toArray(String[]::new));
    Path q = p.qemuDir.resolve(image);
    Path t = p.toolDir.resolve(image);
    if (!Files.exists(q) || isRaw(q)) {
      return;
    }
    assertEquals(dates(creates, listing(q, p.qemuDir)), dates(creates, listing(t, p.toolDir)),
        what + ": snapshot -l");
    assertEquals(dates(creates, QemuJudge.info(q, p.qemuDir)),
        dates(creates, QemuJudge.info(t, p.toolDir)), what + ": info");
    QemuJudge.Check check = QemuJudge.check(t);
    assertTrue(check.clean(), what + ": " + check.output());
    Qemu.Result cmp = QemuJudge.compare(q, t);
    assertEquals(0, cmp.exitCode(), what + ": compare " + cmp.stdout() + cmp.stderr());
  }

  private static boolean isRaw(Path p) throws IOException {
    return !ImageInspector.probe(p).equals("qcow2");
  }

  static String listing(Path img, Path side) throws IOException {
    Qemu.Result r = Qemu.run("qemu-img", "snapshot", "-l", img.toString());
    return r.stdout().replace(side.toString(), "DIR") + r.stderr();
  }

  /** With snapshots made now by each tool, their dates are masked. */
  private static String dates(boolean creates, String text) {
    if (!creates) {
      return text;
    }
    return text.replaceAll("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d", "DATE")
        .replaceAll("\"date-(sec|nsec)\": \\d+", "\"date-$1\": N");
  }
}
