package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qcow2 bitmap} and {@code convert --bitmaps} against qemu-img: the same image (made once
 * by qemu-img with bitmaps of its own and data written by qemu-io, copied to both sides) gets the
 * same command line from both tools; exit status, stdout and stderr must be the same (QEMU's
 * internal node name, {@code #blockNNN}, stands for the image's name in ours), and so must the
 * images as {@code qemu-img info --output=json} shows them (each bitmap's name, granularity and
 * flags), their guest contents and every bitmap's bits; {@code qemu-img check} must find nothing
 * wrong with ours.
 */
@Tag("qemu")
class BitmapAgainstQemuTest {
  @TempDir Path dir;

  static final String[][] MATRIX = {
      {},
      {"-o", "cluster_size=512"},
      {"-o", "cluster_size=2M"},
      {"-o", "refcount_bits=1,cluster_size=4k"},
      {"-o", "extended_l2=on"},
      {"-o", "compression_type=zstd"},
      {"-o", "lazy_refcounts=on"},
  };

  /** Each on a fresh copy: q1 (4k, enabled), q2 (64k, disabled) hold bits; SRC has s. */
  static final String[][] CASES = {
      {"--add", "IMG", "b1"},
      {"--add", "-g", "512", "IMG", "b1"},
      {"--add", "-g", "2G", "IMG", "g"},
      {"--add", "--granularity", "64k", "IMG", "g"},
      {"--add", "-g", "0", "IMG", "g"},
      {"--add", "-g", "4295032832", "IMG", "g"},
      {"--add", "-g", "256", "IMG", "x"},
      {"--add", "-g", "3k", "IMG", "x"},
      {"--add", "-g", "4G", "IMG", "x"},
      {"--add", "-g", "abc", "IMG", "x"},
      {"--add", "-g", "-1", "IMG", "x"},
      {"--add", "IMG", "q1"},
      {"--add", "IMG", ""},
      {"--remove", "IMG", "q1"},
      {"--remove", "IMG", "nope"},
      {"--clear", "IMG", "q1"},
      {"--clear", "IMG", "nope"},
      {"--enable", "IMG", "q2"},
      {"--enable", "IMG", "q1"},
      {"--disable", "IMG", "q1"},
      {"--merge", "q1", "IMG", "q2"},
      {"--merge", "q2", "IMG", "q1"},
      {"--merge", "nope", "IMG", "q2"},
      {"--merge", "q1", "IMG", "nope"},
      {"--add", "--merge", "q1", "IMG", "n"},
      {"--add", "-g", "512", "--merge", "q2", "--disable", "IMG", "n"},
      {"--add", "--remove", "IMG", "zz"},
      {"--remove", "--add", "IMG", "zz"},
      {"--add", "--merge", "nope", "IMG", "zz"},
      {"--remove", "IMG", "q1", "--remove"},
      {"--merge", "s", "-b", "SRC", "IMG", "q2"},
      {"--merge", "s", "-b", "SRC", "-F", "qcow2", "IMG", "q1"},
      {"--merge", "s", "-b", "SRC", "-F", "raw", "IMG", "q1"},
      {"--merge", "nope", "-b", "SRC", "IMG", "q1"},
      {"--merge", "s", "--source-file", "SRC", "--source-format", "qcow2", "IMG", "q1"},
      {"--merge", "s", "-b", "nofile.qcow2", "IMG", "q1"},
      {"-g", "1k", "--remove", "IMG", "q1"},
      {"-b", "SRC", "--add", "IMG", "x"},
      {"-F", "qcow2", "--add", "IMG", "x"},
      {"IMG", "q1"},
      {"--add", "IMG"},
      {"--add", "IMG", "a", "b"},
      {"--add", "-f", "qcow2", "--image-opts", "driver=qcow2,file.filename=IMG", "x"},
      {"--image-opts", "--add", "driver=qcow2,file.filename=IMG", "x"},
      {"--add", "-f", "qcow2", "IMG", "x"},
      {"--object", "secret,id=s0,data=x", "--add", "IMG", "x"},
      {"--add", "-U", "IMG", "x"},
      {"--add", "-q", "IMG", "x"},
      {"--disabled", "--add", "IMG", "x"},
      {"--add", "nofile.qcow2", "x"},
      {"--remove", "IMG", "q1", "--", "x"},
  };

  private Path made(Path where, String[] options) throws IOException {
    Files.createDirectories(where);
    Path img = where.resolve("a.qcow2");
    List<String> c = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
    c.addAll(List.of(options));
    c.add(img.toString());
    c.add("4M");
    Qemu.img(c.toArray(String[]::new));
    Qemu.img("bitmap", "--add", "-g", "4k", img.toString(), "q1");
    Qemu.img("bitmap", "--add", "-g", "64k", img.toString(), "q2");
    Qemu.io(img, "write -P 0x11 0 100k", "write -P 0x22 1M 4k");
    Qemu.img("bitmap", "--disable", img.toString(), "q2");
    Qemu.io(img, "write -P 0x33 2M 300k");
    Path src = where.resolve("src.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", src.toString(), "4M");
    Qemu.img("bitmap", "--add", "-g", "16k", src.toString(), "s");
    Qemu.io(src, "write -P 0x44 512k 70k");
    return img;
  }

  @Test
  void bitmapCommandAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    Path seed = made(dir.resolve("seed"), new String[] {});
    int n = 0;
    for (String[] c : CASES) {
      Path sub = dir.resolve("c" + n++);
      checks.add(() -> runCase(seed, sub, "bitmap", c));
    }
    assertAll(checks);
  }

  /** A few actions over the option matrix (and v2, where adding is refused). */
  @Test
  void overTheOptionMatrix() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    String[][] cases = {
        {"--add", "IMG", "b1"}, {"--remove", "IMG", "q1"}, {"--merge", "q1", "IMG", "q2"},
        {"--clear", "--disable", "IMG", "q1"}, {"--remove", "IMG", "q2"},
    };
    int m = 0;
    for (String[] options : MATRIX) {
      Path seed = made(dir.resolve("seed" + m), options);
      int n = 0;
      for (String[] c : cases) {
        Path sub = dir.resolve("m" + m + "c" + n++);
        checks.add(() -> runCase(seed, sub, "bitmap", c));
      }
      m++;
    }
    Path v2 = dir.resolve("v2");
    Files.createDirectories(v2);
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "compat=0.10", v2.resolve("a.qcow2").toString(),
        "1M");
    Files.copy(v2.resolve("a.qcow2"), v2.resolve("src.qcow2"));
    for (String[] c : new String[][] {{"--add", "IMG", "a"}, {"--remove", "IMG", "a"}}) {
      Path sub = dir.resolve("v2c" + m++);
      checks.add(() -> runCase(v2.resolve("a.qcow2"), sub, "bitmap", c));
    }
    assertAll(checks);
  }

  /** Removing every bitmap takes the extension away; adding one brings it back. */
  @Test
  void lastRemovedAndFirstAdded() throws IOException {
    Qemu.assumeAvailable();
    Path seed = made(dir.resolve("seed"), new String[] {"-o", "cluster_size=4k"});
    String[][] steps = {
        {"--remove", "IMG", "q1"}, {"--remove", "IMG", "q2"}, {"--add", "-g", "8k", "IMG", "n"},
        {"--remove", "IMG", "n"}, {"--add", "IMG", "m"},
    };
    QemuParity p = copies(seed, dir.resolve("steps"));
    for (String[] s : steps) {
      List<String> args = new ArrayList<>(List.of("bitmap"));
      args.addAll(List.of(s));
      compare(p, "a.qcow2", args.toArray(String[]::new));
      judge(p, "a.qcow2", String.join(" ", args));
    }
  }

  /** A backing file whose name sits where the extension goes: it moves, the chain still reads. */
  @Test
  void firstBitmapOnAnOverlay() throws IOException {
    Qemu.assumeAvailable();
    Path where = dir.resolve("overlay");
    Files.createDirectories(where);
    Path base = where.resolve("base.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", base.toString(), "1M");
    Qemu.io(base, "write -P 0x66 0 1M");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", "-b", base.toString(), "-F",
        "qcow2", where.resolve("a.qcow2").toString());
    QemuParity p = copies(where.resolve("a.qcow2"), dir.resolve("ov"));
    compare(p, "a.qcow2", "bitmap", "--add", "IMG", "x");
    judge(p, "a.qcow2", "add on an overlay");
    Qemu.io(p.toolDir.resolve("a.qcow2"), "write -P 0x77 8k 4k");
    Qemu.io(p.qemuDir.resolve("a.qcow2"), "write -P 0x77 8k 4k");
    judge(p, "a.qcow2", "after qemu-io wrote through it");
    compare(p, "a.qcow2", "bitmap", "--remove", "IMG", "x");
    judge(p, "a.qcow2", "remove on an overlay");
  }

  /** convert --bitmaps, its refusals, and our bitmaps copied by qemu-img's. */
  @Test
  void convertBitmapsAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    Path seed = made(dir.resolve("seed"), new String[] {});
    String[][] cases = {
        {"convert", "--bitmaps", "-O", "qcow2", "IMG", "DIR/out.qcow2"},
        {"convert", "--bitmaps", "-O", "qcow2", "-o", "cluster_size=4k", "IMG", "DIR/out.qcow2"},
        {"convert", "--bitmaps", "-c", "-O", "qcow2", "IMG", "DIR/out.qcow2"},
        {"convert", "--bitmaps", "-O", "raw", "IMG", "DIR/out.raw"},
        {"convert", "--bitmaps", "-O", "qcow2", "-o", "compat=0.10", "IMG", "DIR/out.qcow2"},
        {"convert", "--skip-broken-bitmaps", "-O", "qcow2", "IMG", "DIR/out.qcow2"},
        {"convert", "--bitmaps", "-O", "qcow2", "DIR/raw.img", "DIR/out.qcow2"},
        {"convert", "--bitmaps", "-n", "-O", "qcow2", "IMG", "DIR/src.qcow2"},
        {"convert", "--bitmaps", "-n", "-O", "qcow2", "IMG", "DIR/empty.qcow2"},
    };
    int n = 0;
    for (String[] c : cases) {
      Path sub = dir.resolve("c" + n++);
      checks.add(() -> runCase(seed, sub, null, c));
    }
    Path broken = made(dir.resolve("broken"), new String[] {});
    markInUse(broken, "q1");
    for (String[] c : new String[][] {
        {"convert", "--bitmaps", "-O", "qcow2", "IMG", "DIR/out.qcow2"},
        {"convert", "--bitmaps", "--skip-broken-bitmaps", "-O", "qcow2", "IMG", "DIR/out.qcow2"},
        {"bitmap", "--clear", "IMG", "q1"}, {"bitmap", "--remove", "IMG", "q1"},
        {"bitmap", "--merge", "q1", "IMG", "q2"}, {"bitmap", "--enable", "IMG", "q1"},
        {"bitmap", "--add", "IMG", "q1"}}) {
      Path sub = dir.resolve("b" + n++);
      checks.add(() -> runCase(broken, sub, null, c));
    }
    assertAll(checks);
  }

  private void runCase(Path seed, Path sub, String command, String[] c) throws IOException {
    QemuParity p = copies(seed, sub);
    List<String> args = new ArrayList<>();
    if (command != null) {
      args.add(command);
    }
    args.addAll(List.of(c));
    String what = String.join(" ", args);
    compare(p, seed.getFileName().toString(), args.toArray(String[]::new));
    for (String f : List.of(seed.getFileName().toString(), "out.qcow2", "src.qcow2",
        "empty.qcow2")) {
      if (Files.exists(p.qemuDir.resolve(f))) {
        judge(p, f, what + " (" + f + ")");
      }
    }
  }

  /** Both sides get the seed's directory: the image, the merge source, a raw and an empty image. */
  private static QemuParity copies(Path seed, Path sub) throws IOException {
    QemuParity p = QemuParity.seeded(seed, sub);
    for (Path side : List.of(p.qemuDir, p.toolDir)) {
      Files.write(side.resolve("raw.img"), new byte[1 << 20]);
      Qemu.img("create", "-q", "-f", "qcow2", side.resolve("empty.qcow2").toString(), "4M");
    }
    return p;
  }

  /**
   * Runs both tools (IMG each side's image, SRC its merge source, DIR its directory) and
   * compares exit status, stdout and stderr; QEMU's node names are the image's name in ours.
   */
  private static void compare(QemuParity p, String image, String... args) throws IOException {
    List<String> q = new ArrayList<>(List.of("qemu-img"));
    List<String> t = new ArrayList<>();
    for (String a : args) {
      q.add(side(a, p.qemuDir, image));
      t.add(side(a, p.toolDir, image));
    }
    Qemu.Result expected = Qemu.run(q, p.qemuDir);
    ToolRun run = ToolRun.of(t.toArray(String[]::new));
    String node = p.qemuDir.resolve(image).toString();
    String what = String.join(" ", args) + "\nqemu-img: " + expected.stdout()
        + expected.stderr() + "\nqcow2: " + run.out() + run.err();
    assertEquals(expected.exitCode(), run.status(), what);
    assertEquals(p.tool(expected.stdout()), run.out(), what);
    assertEquals(p.tool(expected.stderr().replaceAll("#block\\d+", node)), run.err(), what);
  }

  private static String side(String arg, Path side, String image) {
    return arg.replace("IMG", side.resolve(image).toString())
        .replace("SRC", side.resolve("src.qcow2").toString())
        .replace("DIR", side.toString());
  }

  /**
   * The image on both sides: the same bitmaps (name, granularity, flags) in qemu-img info, the
   * same bits, the same guest contents, and qemu-img check clean on ours.
   */
  private static void judge(QemuParity p, String image, String what) throws IOException {
    Path q = p.qemuDir.resolve(image);
    Path t = p.toolDir.resolve(image);
    if (!ImageInspector.probe(q).equals("qcow2")) {
      p.sameFile(image, what);
      return;
    }
    assertEquals(QemuJudge.info(q, p.qemuDir),
        QemuJudge.info(t, p.toolDir), what + ": info");
    QemuJudge.Check check = QemuJudge.check(t);
    assertTrue(check.clean(), what + ": " + check.output());
    Qemu.Result cmp = QemuJudge.compare(q, t);
    assertEquals(0, cmp.exitCode(), what + ": compare " + cmp.stdout() + cmp.stderr());
    try (Qcow2Image a = Qcow2Image.open(q); Qcow2Image b = Qcow2Image.open(t)) {
      assertEquals(a.bitmaps().size(), b.bitmaps().size(), what);
      for (BitmapDirectoryEntry e : a.bitmaps()) {
        if (!e.inUse()) {
          assertArrayEquals(a.bitmapData(e.name()), b.bitmapData(e.name()),
              what + ": bits of " + e.name());
        }
      }
    }
  }

  /** Sets in_use on a bitmap, as a writer that crashed leaves it. */
  static void markInUse(Path img, String name) throws IOException {
    long at = -1;
    try (Qcow2Image image = Qcow2Image.open(img)) {
      var ext = image.extensions().bitmaps().orElseThrow();
      ByteBuffer d = ByteBuffer.allocate((int) ext.directorySize());
      image.hostFile().read(d, ext.directoryOffset());
      int pos = 0;
      while (pos < d.limit()) {
        int nameSize = d.getShort(pos + 18) & 0xFFFF;
        String n = new String(d.array(), pos + 24, nameSize, StandardCharsets.UTF_8);
        if (n.equals(name)) {
          at = ext.directoryOffset() + pos + 12;
        }
        pos += (24 + nameSize + 7) & ~7;
      }
    }
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(at);
      int flags = f.readInt();
      f.seek(at);
      f.writeInt(flags | BitmapDirectoryEntry.FLAG_IN_USE);
    }
  }
}
