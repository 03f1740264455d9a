package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.qcow2nio.format.testing.CryptoGolden;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The writing commands on encrypted images, the tool against qemu-img 7.2 on copies of the same
 * files: a LUKS chain base &lt;- mid &lt;- top whose three layers have three keys (named with
 * {@code encrypt.key-secret}, {@code backing.encrypt.key-secret} and
 * {@code backing.backing.encrypt.key-secret}), a plain image, an encrypted convert target and a
 * legacy AES golden image. For each command line: the same exit status, stdout and stderr
 * ("qemu-img:" being "qcow2:"), then every image either tool left is read by qemu-img (convert
 * --image-opts to raw, with each layer's key) and must read the same on both sides, and what
 * the tool wrote must pass {@code qemu-img check}.
 */
@Tag("qemu")
class EncryptedWritesAgainstQemuTest {
  private static final String[] KEYS = {"top-key-0", "mid-key-1", "base-key-2"};
  private static final String OBJECTS = "--object secret,id=s0,data=" + KEYS[0]
      + " --object secret,id=s1,data=" + KEYS[1] + " --object secret,id=s2,data=" + KEYS[2]
      + " --object secret,id=a,data=" + CryptoGolden.AES_PASSPHRASE;
  /** The top image with each layer's own secret. */
  private static final String TOP = "driver=qcow2,file.filename=DIR/top.qcow2,"
      + "encrypt.key-secret=s0,backing.encrypt.key-secret=s1,"
      + "backing.backing.encrypt.key-secret=s2";
  private static final String MID = "driver=qcow2,file.filename=DIR/mid.qcow2,"
      + "encrypt.key-secret=s1,backing.encrypt.key-secret=s2";
  private static final String BASE = "driver=qcow2,file.filename=DIR/base.qcow2,"
      + "encrypt.key-secret=s2";

  @TempDir static Path dir;

  @BeforeAll
  static void seed() throws IOException {
    if (!Qemu.available()) {
      return;
    }
    Path seed = Files.createDirectories(dir.resolve("seed"));
    String[] names = {"top.qcow2", "mid.qcow2", "base.qcow2"};
    for (int layer = 2; layer >= 0; layer--) {
      List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
      create.addAll(objects());
      create.addAll(List.of("-o", "encrypt.format=luks,encrypt.key-secret=s" + layer
          + ",encrypt.iter-time=10,cluster_size=4096"));
      if (layer < 2) {
        create.addAll(List.of("-b", names[layer + 1], "-F", "qcow2"));
      }
      create.addAll(List.of(names[layer], "1M"));
      ok(seed, create);
    }
    // Each layer writes where the others do too, so that every layer shows somewhere.
    io(seed, BASE, "write -P 0x22 0 1M");
    io(seed, MID, "write -P 0x11 64k 200k", "write -z 512k 8k");
    io(seed, TOP, "write -P 0x33 100k 5000", "write -z 700k 64k", "write -P 0x44 900k 4k");
    ok(seed, List.of("qemu-img", "create", "-q", "-f", "qcow2", "plain.qcow2", "1M"));
    List<String> target = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
    target.addAll(objects());
    target.addAll(List.of("-o", "encrypt.format=luks,encrypt.key-secret=s1,"
        + "encrypt.iter-time=10", "target.qcow2", "1M"));
    ok(seed, target);
    Files.write(seed.resolve("aes.qcow2"), CryptoGolden.bytes(CryptoGolden.AES));
  }

  private static List<String> objects() {
    return List.of(OBJECTS.split(" "));
  }

  private static void ok(Path in, List<String> command) throws IOException {
    Qemu.Result r = Qemu.run(command, in);
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
  }

  private static void io(Path in, String opts, String... writes) throws IOException {
    List<String> c = new ArrayList<>(List.of("qemu-io"));
    c.addAll(objects());
    c.addAll(List.of("--image-opts", opts.replace("DIR", in.toString())));
    for (String w : writes) {
      c.addAll(List.of("-c", w));
    }
    ok(in, c);
  }

  /**
   * A command line (DIR: the directory of the copies) and the images to read afterwards, each
   * as the --image-opts that unlock it.
   */
  record Case(String name, String args, List<String> reads) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    String o = OBJECTS + " ";
    String plainTop = "driver=qcow2,file.filename=DIR/top.qcow2,encrypt.key-secret=s0";
    List<Case> c = List.of(
        // resize: grown, shrunk, and refused without a layer's key.
        new Case("resize grows", "resize " + o + "--image-opts " + TOP + " 2M", List.of(TOP)),
        new Case("resize shrinks", "resize " + o + "--shrink --image-opts " + TOP + " 512k",
            List.of(TOP)),
        new Case("resize preallocates", "resize " + o + "--preallocation=metadata "
            + "--image-opts " + TOP + " 3M", List.of(TOP)),
        new Case("resize without the base key", "resize " + o + "--image-opts "
            + TOP.replace(",backing.backing.encrypt.key-secret=s2", "") + " 2M", List.of(TOP)),
        new Case("resize without the mid key", "resize " + o + "--image-opts " + plainTop
            + " 2M", List.of(TOP)),
        // commit: into the mid, keeping or emptying the top; wrong and missing keys.
        new Case("commit", "commit " + o + "--image-opts " + TOP, List.of(TOP, MID)),
        new Case("commit -d", "commit " + o + "-d --image-opts " + TOP, List.of(TOP, MID)),
        new Case("commit -b", "commit " + o + "-b DIR/base.qcow2 --image-opts " + TOP,
            List.of(TOP, MID, BASE)),
        new Case("commit, wrong mid key", "commit " + o + "--image-opts "
            + TOP.replace("backing.encrypt.key-secret=s1", "backing.encrypt.key-secret=s2"),
            List.of(TOP, MID)),
        new Case("commit, unknown base secret", "commit " + o + "--image-opts "
            + TOP.replace("backing.backing.encrypt.key-secret=s2",
                "backing.backing.encrypt.key-secret=nosuch"), List.of(TOP, MID)),
        // rebase: flatten, onto a plain file, onto the encrypted base, unsafe.
        new Case("rebase flattens", "rebase " + o + "-b  --image-opts " + TOP,
            List.of(plainTop)),
        new Case("rebase onto a plain file", "rebase " + o + "-b DIR/plain.qcow2 -F qcow2 "
            + "--image-opts " + TOP, List.of(plainTop)),
        new Case("rebase onto the encrypted base", "rebase " + o + "-b DIR/base.qcow2 "
            + "-F qcow2 --image-opts " + TOP, List.of(TOP)),
        new Case("rebase to a relative name", "rebase " + o + "-b plain.qcow2 -F qcow2 "
            + "--image-opts " + TOP, List.of(TOP)),
        new Case("rebase -u", "rebase " + o + "-u -b base.qcow2 -F qcow2 --image-opts "
            + plainTop, List.of(plainTop + ",backing.encrypt.key-secret=s2")),
        new Case("rebase -u without the key", "rebase -u -b base.qcow2 -F qcow2 DIR/top.qcow2",
            List.of(TOP)),
        // The reading commands take each layer's key too.
        new Case("check with three keys", "check " + o + "--image-opts " + TOP, List.of()),
        new Case("map with three keys", "map " + o + "--output=json --image-opts " + TOP,
            List.of()),
        new Case("check, mid key wrong", "check " + o + "--image-opts "
            + TOP.replace("backing.encrypt.key-secret=s1", "backing.encrypt.key-secret=s0"),
            List.of()),
        // convert: reading the chain, writing encrypted targets.
        new Case("convert reads three keys", "convert " + o + "-O raw --image-opts " + TOP
            + " DIR/out.raw", List.of("driver=raw,file.filename=DIR/out.raw")),
        new Case("convert, base key missing", "convert " + o + "-O raw --image-opts "
            + TOP.replace(",backing.backing.encrypt.key-secret=s2", "") + " DIR/out.raw",
            List.of()),
        new Case("convert, base key wrong", "convert " + o + "-O raw --image-opts "
            + TOP.replace("backing.backing.encrypt.key-secret=s2",
                "backing.backing.encrypt.key-secret=s1") + " DIR/out.raw", List.of()),
        new Case("convert to LUKS with cipher options", "convert " + o + "-O qcow2 -o "
            + "encrypt.format=luks,encrypt.key-secret=s1,encrypt.iter-time=10,"
            + "encrypt.cipher-alg=aes-128,encrypt.cipher-mode=cbc,encrypt.ivgen-alg=essiv,"
            + "encrypt.ivgen-hash-alg=sha256,cluster_size=4096 --image-opts " + TOP
            + " DIR/out.qcow2", List.of("driver=qcow2,file.filename=DIR/out.qcow2,"
            + "encrypt.key-secret=s1")),
        new Case("convert -c to LUKS", "convert " + o + "-c -O qcow2 -o encrypt.format=luks,"
            + "encrypt.key-secret=s1 --image-opts " + TOP + " DIR/out.qcow2", List.of()),
        new Case("convert to LUKS, no secret", "convert " + o + "-O qcow2 -o "
            + "encrypt.format=luks DIR/plain.qcow2 DIR/out.qcow2", List.of()),
        new Case("convert to LUKS, unknown secret", "convert " + o + "-O qcow2 -o "
            + "encrypt.format=luks,encrypt.key-secret=zz DIR/plain.qcow2 DIR/out.qcow2",
            List.of()),
        new Case("convert, a secret but no encrypt.format", "convert " + o + "-O qcow2 -o "
            + "encrypt.key-secret=s1 DIR/plain.qcow2 DIR/out.qcow2", List.of()),
        new Case("convert, iter-time not a number", "convert " + o + "-O qcow2 -o "
            + "encrypt.format=luks,encrypt.key-secret=s1,encrypt.iter-time=abc DIR/plain.qcow2 "
            + "DIR/out.qcow2", List.of()),
        new Case("convert -n --target-image-opts", "convert " + o + "-n --image-opts " + TOP
            + " --target-image-opts driver=qcow2,file.filename=DIR/target.qcow2,"
            + "encrypt.key-secret=s1", List.of("driver=qcow2,file.filename=DIR/target.qcow2,"
            + "encrypt.key-secret=s1")),
        new Case("convert --target-image-opts without -n", "convert " + o + "--image-opts "
            + TOP + " --target-image-opts driver=qcow2,file.filename=DIR/target.qcow2,"
            + "encrypt.key-secret=s1", List.of()),
        new Case("convert -n into an encrypted target without its key", "convert " + o
            + "-n -O qcow2 -f qcow2 DIR/plain.qcow2 DIR/target.qcow2", List.of()),
        new Case("convert legacy AES to LUKS", "convert " + o + "-O qcow2 -o "
            + "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10 --image-opts "
            + "driver=qcow2,file.filename=DIR/aes.qcow2,encrypt.key-secret=a DIR/out.qcow2",
            List.of("driver=qcow2,file.filename=DIR/out.qcow2,encrypt.key-secret=s0")),
        new Case("convert legacy AES to plain", "convert " + o + "-O qcow2 --image-opts "
            + "driver=qcow2,file.filename=DIR/aes.qcow2,encrypt.key-secret=a DIR/out.qcow2",
            List.of("driver=qcow2,file.filename=DIR/out.qcow2")));
    return c.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void writesWhatQemuImgWrites(Case c) throws IOException {
    Qemu.assumeAvailable();
    Path theirs = copy("qemu-" + c.name().hashCode());
    Path ours = copy("tool-" + c.name().hashCode());
    List<String> args = split(c.args());
    List<String> q = new ArrayList<>(List.of("qemu-img"));
    List<String> t = new ArrayList<>();
    for (String a : args) {
      q.add(a.replace("DIR", theirs.toString()));
      t.add(a.replace("DIR", ours.toString()));
    }
    Qemu.Result expected = Qemu.run(q, theirs);
    ToolRun run = ToolRun.of(t.toArray(String[]::new));
    String what = c.name() + ": " + String.join(" ", t) + "\nqemu-img: " + expected.stdout()
        + expected.stderr() + "\nqcow2: " + run.out() + run.err();
    assertEquals(expected.exitCode(), run.status(), what);
    assertEquals(tool(expected.stdout(), theirs), tool(run.out(), ours), what);
    assertEquals(tool(expected.stderr(), theirs), tool(run.err(), ours), what);
    for (String k : KEYS) {
      assertFalse((run.out() + run.err()).contains(k), what);
    }
    for (String read : c.reads()) {
      byte[] a = read(theirs, read);
      byte[] b = read(ours, read);
      assertArrayEquals(a, b, what + "\nreads differently: " + read);
      if (read.startsWith("driver=qcow2")) {
        List<String> check = new ArrayList<>(List.of("qemu-img", "check"));
        check.addAll(objects());
        check.addAll(List.of("--image-opts", read.replace("DIR", ours.toString())));
        Qemu.Result r = Qemu.run(check, ours);
        assertEquals(0, r.exitCode(), what + "\nqemu-img check " + read + ":\n" + r.stdout()
            + r.stderr());
      }
    }
    deleteTree(theirs);
    deleteTree(ours);
  }

  /** The command line split at spaces; "-b  " (two spaces) gives an empty -b. */
  private static List<String> split(String args) {
    List<String> out = new ArrayList<>(List.of(args.split(" ", -1)));
    for (int i = 0; i + 1 < out.size(); i++) {
      if (out.get(i).equals("-b") && out.get(i + 1).isEmpty()) {
        i++;
        continue;
      }
      if (out.get(i).isEmpty()) {
        out.remove(i--);
      }
    }
    return out;
  }

  private static String tool(String text, Path in) {
    return text.replace("qemu-img: ", "qcow2: ").replace(in.toString(), "DIR");
  }

  /** What qemu-img reads of the image {@code opts} names in {@code in}. */
  private static byte[] read(Path in, String opts) throws IOException {
    Path raw = in.resolve("read.raw");
    Files.deleteIfExists(raw);
    List<String> c = new ArrayList<>(List.of("qemu-img", "convert"));
    c.addAll(objects());
    c.addAll(List.of("-O", "raw", "--image-opts", opts.replace("DIR", in.toString()),
        raw.toString()));
    Qemu.Result r = Qemu.run(c, in);
    assertEquals(0, r.exitCode(), String.join(" ", c) + ": " + r.stderr());
    byte[] b = Files.readAllBytes(raw);
    Files.delete(raw);
    return b;
  }

  private static Path copy(String name) throws IOException {
    Path to = dir.resolve(name);
    deleteTree(to);
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(dir.resolve("seed"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
    return to;
  }

  private static void deleteTree(Path d) throws IOException {
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
