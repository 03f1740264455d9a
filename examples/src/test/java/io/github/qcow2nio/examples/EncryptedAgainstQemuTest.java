package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The tool on encrypted images qemu-img 7.2 made (LUKS aes-256-xts-plain64 as qemu-img creates
 * by default, LUKS aes-128-cbc-essiv:sha256, and legacy AES), judged by qemu-img on the same
 * files and command lines: exit status, stdout and stderr alike ("qemu-img:" being "qcow2:"),
 * and converted or copied output byte for byte. Covers info without a key, every reading command
 * with {@code --object secret} and {@code --image-opts encrypt.key-secret=}, the same commands
 * without a key, wrong and unknown secrets, {@code encrypt.format}, and amend of the options
 * other than key slots (key slots: KeySlotsAgainstQemuTest).
 */
@Tag("qemu")
class EncryptedAgainstQemuTest {
  static final String PASSPHRASE = "Sekr3t-Passphrase-4711";
  @TempDir static Path dir;

  private static final List<String> IMAGES = List.of("luks.qcow2", "essiv.qcow2", "aes.qcow2");

  @BeforeAll
  static void makeImages() throws IOException {
    if (!Qemu.available()) {
      return;
    }
    String secret = "secret,id=s0,data=" + PASSPHRASE;
    // Fast key derivation (10 ms of PBKDF2) keeps the many unlocks of this class quick.
    create(secret, "luks.qcow2",
        "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10");
    create(secret, "essiv.qcow2", "encrypt.format=luks,encrypt.key-secret=s0,"
        + "encrypt.iter-time=10,encrypt.cipher-alg=aes-128,encrypt.cipher-mode=cbc,"
        + "encrypt.ivgen-alg=essiv,encrypt.ivgen-hash-alg=sha256,encrypt.hash-alg=sha1,"
        + "cluster_size=4096");
    create(secret, "aes.qcow2", "encrypt.format=aes,encrypt.key-secret=s0");
    for (String image : IMAGES) {
      ok("qemu-io", "--object", secret, "--image-opts", opts(image), "-c",
          "write -P 0x5a 0 70k", "-c", "write -P 0xa5 300k 1536", "-c", "write -z 512k 64k",
          "-c", "write -P 0x11 1M 4k");
    }
    Qemu.ok("qemu-img", "create", "-q", "-f", "qcow2", dir.resolve("plain.qcow2").toString(),
        "2M");
    Qemu.ok("qemu-img", "convert", "-O", "raw", "--object", secret, "--image-opts",
        opts("luks.qcow2"), dir.resolve("luks.raw").toString());
    Files.writeString(dir.resolve("pass.txt"), PASSPHRASE);
    Files.writeString(dir.resolve("pass-newline.txt"), PASSPHRASE + "\n");
  }

  private static void create(String secret, String name, String options) throws IOException {
    ok("qemu-img", "create", "-q", "-f", "qcow2", "--object", secret, "-o", options,
        dir.resolve(name).toString(), "2M");
  }

  private static void ok(String... command) throws IOException {
    Qemu.Result r = Qemu.run(List.of(command), dir);
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
  }

  /** {@code --image-opts} naming {@code image} and the secret s0. */
  static String opts(String image) {
    return "driver=qcow2,file.filename=" + dir.resolve(image) + ",encrypt.key-secret=s0";
  }

  private static final String KEY = "secret,id=s0,data=" + PASSPHRASE;

  static Stream<Arguments> readingCommands() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : IMAGES) {
      String img = "DIR/" + image;
      String o = "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=s0";
      // info needs no key; with --image-opts and a key secret its name is the options' JSON.
      cases.add(Arguments.of((Object) new String[] {"info", img}));
      cases.add(Arguments.of((Object) new String[] {"info", "--output=json", img}));
      cases.add(Arguments.of((Object) new String[] {"info", "--object", KEY, "--image-opts", o}));
      cases.add(Arguments.of((Object) new String[] {"info", "--output=json", "--image-opts",
          o}));
      cases.add(Arguments.of((Object) new String[] {"info", "--image-opts",
          "driver=qcow2,file.filename=" + img + ",encrypt.format=luks"}));
      // The reading commands, unlocked.
      cases.add(Arguments.of((Object) new String[] {"map", "--output=json", "--object", KEY,
          "--image-opts", o}));
      cases.add(Arguments.of((Object) new String[] {"map", "--object", KEY, "--image-opts",
          o}));
      cases.add(Arguments.of((Object) new String[] {"check", "--object", KEY, "--image-opts",
          o}));
      cases.add(Arguments.of((Object) new String[] {"check", "--output=json", "--object", KEY,
          "--image-opts", o}));
      cases.add(Arguments.of((Object) new String[] {"measure", "-O", "qcow2", "--object", KEY,
          "--image-opts", o}));
      cases.add(Arguments.of((Object) new String[] {"snapshot", "-l", "--object", KEY,
          "--image-opts", o}));
      cases.add(Arguments.of((Object) new String[] {"compare", "--object", KEY, "--image-opts",
          o, "driver=raw,file.filename=DIR/luks.raw"}));
      // Without a key: each says the key secret is required (compare exits 2).
      for (String command : List.of("map", "check", "compare", "measure", "snapshot", "convert",
          "dd", "resize", "amend", "commit", "rebase", "bitmap")) {
        cases.add(Arguments.of((Object) withoutKey(command, img)));
      }
      // A wrong passphrase (legacy AES cannot tell: it reads garbage), an unknown secret, and
      // an encryption format the header does not have.
      cases.add(Arguments.of((Object) new String[] {"compare", "--object",
          "secret,id=s0,data=wrong", "--image-opts", o, "driver=raw,file.filename=DIR/luks.raw"}));
      cases.add(Arguments.of((Object) new String[] {"measure", "-O", "qcow2", "--object",
          "secret,id=s1,data=x", "--image-opts", o}));
      cases.add(Arguments.of((Object) new String[] {"check", "--object", KEY, "--image-opts",
          o + ",encrypt.format=" + (image.startsWith("aes") ? "luks" : "aes")}));
    }
    cases.add(Arguments.of((Object) new String[] {"check", "--object", KEY, "--image-opts",
        "driver=qcow2,file.filename=DIR/plain.qcow2,encrypt.format=luks"}));
    cases.add(Arguments.of((Object) new String[] {"check", "--object", KEY, "--image-opts",
        "driver=qcow2,file.filename=DIR/plain.qcow2,encrypt.key-secret=nosuch"}));
    cases.add(Arguments.of((Object) new String[] {"check", "--object", KEY, "--image-opts",
        "driver=raw,file.filename=DIR/luks.raw,encrypt.key-secret=s0"}));
    cases.add(Arguments.of((Object) new String[] {"check", "--object", KEY, "--image-opts",
        "file.filename=DIR/luks.raw,encrypt.key-secret=s0"}));
    return cases.stream();
  }

  private static String[] withoutKey(String command, String img) {
    return switch (command) {
      case "compare" -> new String[] {"compare", img, "DIR/luks.raw"};
      case "measure" -> new String[] {"measure", "-O", "qcow2", img};
      case "snapshot" -> new String[] {"snapshot", "-c", "s1", img};
      case "convert" -> new String[] {"convert", "-O", "raw", img, "DIR/never.raw"};
      case "dd" -> new String[] {"dd", "if=" + img, "of=DIR/never.raw"};
      case "resize" -> new String[] {"resize", img, "4M"};
      case "amend" -> new String[] {"amend", "-o", "lazy_refcounts=on", img};
      case "rebase" -> new String[] {"rebase", "-u", "-b", "", img};
      case "bitmap" -> new String[] {"bitmap", "--add", img, "b0"};
      default -> new String[] {command, img};
    };
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("readingCommands")
  void printsWhatQemuImgPrints(String[] args) throws IOException {
    Qemu.assumeAvailable();
    same(args);
  }

  static Stream<Arguments> copies() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : IMAGES) {
      String o = "driver=qcow2,file.filename=DIR/" + image + ",encrypt.key-secret=s0";
      cases.add(Arguments.of((Object) new String[] {"convert", "--object", KEY, "-O", "raw",
          "--image-opts", o, "OUT"}));
      cases.add(Arguments.of((Object) new String[] {"convert", "--object",
          "secret,id=s0,file=DIR/pass.txt", "-O", "raw", "--image-opts", o, "OUT"}));
      cases.add(Arguments.of((Object) new String[] {"dd", "--object", KEY, "--image-opts",
          "bs=4k", "if=" + o, "of=OUT"}));
      // A key file's trailing newline is part of the secret, as in qemu-img.
      cases.add(Arguments.of((Object) new String[] {"convert", "--object",
          "secret,id=s0,file=DIR/pass-newline.txt", "-O", "raw", "--image-opts", o, "OUT"}));
    }
    String b64 = java.util.Base64.getEncoder().encodeToString(
        PASSPHRASE.getBytes(StandardCharsets.UTF_8));
    cases.add(Arguments.of((Object) new String[] {"convert", "--object",
        "secret,id=s0,format=base64,data=" + b64, "-O", "raw", "--image-opts",
        "driver=qcow2,file.filename=DIR/luks.qcow2,encrypt.key-secret=s0", "OUT"}));
    return cases.stream();
  }

  /**
   * {@code --object} definitions, good and bad, as qemu-img judges them: missing or bad id,
   * unknown type or property, data against file, formats, unreadable files, duplicate ids,
   * base64 as GLib decodes it, and secrets encrypted with an earlier one ({@code keyid},
   * {@code iv}).
   */
  static Stream<Arguments> objectDefinitions() throws Exception {
    byte[] key = new byte[32];
    byte[] iv = new byte[16];
    new java.util.Random(5).nextBytes(key);
    new java.util.Random(6).nextBytes(iv);
    javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/CBC/PKCS5Padding");
    c.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"),
        new javax.crypto.spec.IvParameterSpec(iv));
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    String k = "secret,id=k,format=base64,data=" + b64.encodeToString(key);
    String ct = b64.encodeToString(c.doFinal(PASSPHRASE.getBytes(StandardCharsets.UTF_8)));
    String ivText = b64.encodeToString(iv);
    List<List<String>> defs = List.of(
        List.of("secret,data=x"), List.of("secret,id=s0"),
        List.of("secret,id=s0,data=x,bogus=1"),
        List.of("secret,id=s0,file=DIR/nonexistent"), List.of("secret,id=s0,file=DIR"),
        List.of("secret,id=s0,file=DIR/pass.txt,data=x"),
        List.of("secret,id=s0,data=x,format=hex"),
        List.of("bogus,id=s0"), List.of("id=s0"), List.of(""), List.of("secret"),
        List.of("secret,id=0s,data=x"), List.of("secret,id=s0,bogus"), List.of("secret,bogus=1"),
        List.of("secret,id=s0,format=x,bogus=1"), List.of("secret,id=0s,bogus=1"),
        List.of("throttle-group,bogus=1"), List.of("secret,id=s0,data=x,keyid=nosuch"),
        List.of("secret,id=s0,data=c@Hc=,format=base64"),
        List.of("secret,id=s0,data=cHc,format=base64"),
        List.of("secret,id=s0,data=cH=c,format=base64"), List.of("secret,id=s0,data="),
        List.of("secret,id=s1,data=" + PASSPHRASE + ",id=s0"),
        List.of("qom-type=secret,id=s0,data=" + PASSPHRASE),
        List.of(KEY, KEY),
        List.of(k, "secret,id=s0,format=base64,keyid=k,iv=" + ivText + ",data=" + ct),
        List.of(k, "secret,id=s0,keyid=k,iv=" + ivText + ",data=" + ct),
        List.of(k, "secret,id=s0,format=base64,keyid=k,data=" + ct),
        List.of(k, "secret,id=s0,format=base64,keyid=k,iv=AAAA,data=" + ct),
        List.of("secret,id=k,data=short", "secret,id=s0,format=base64,keyid=k,iv=" + ivText
            + ",data=" + ct),
        List.of(k, "secret,id=s0,format=base64,keyid=k,iv=" + ivText
            + ",data=AAAAAAAAAAAAAAAAAAAAAA=="),
        List.of("secret,id=s0,format=base64,keyid=k,iv=" + ivText + ",data=" + ct, k));
    List<Arguments> cases = new ArrayList<>();
    for (List<String> d : defs) {
      List<String> args = new ArrayList<>(List.of("convert"));
      for (String def : d) {
        args.add("--object");
        args.add(def);
      }
      args.addAll(List.of("-O", "raw", "--image-opts",
          "driver=qcow2,file.filename=DIR/luks.qcow2,encrypt.key-secret=s0", "OUT"));
      cases.add(Arguments.of((Object) args.toArray(String[]::new)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("objectDefinitions")
  void judgesObjectsAsQemuImg(String[] args) throws IOException {
    copiesWhatQemuImgCopies(args);
  }

  /** convert and dd from encrypted images to plain raw ones: the same bytes as qemu-img's. */
  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("copies")
  void copiesWhatQemuImgCopies(String[] args) throws IOException {
    Qemu.assumeAvailable();
    Path theirs = dir.resolve("out.qemu");
    Path ours = dir.resolve("out.tool");
    Files.deleteIfExists(theirs);
    Files.deleteIfExists(ours);
    same(args);
    assertEquals(Files.exists(theirs), Files.exists(ours));
    if (Files.exists(theirs)) {
      assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
    }
  }

  /** Converting to qcow2 gives an image qemu-img reads as the source and checks clean. */
  @Test
  void convertsEncryptedToPlainQcow2() throws IOException {
    Qemu.assumeAvailable();
    for (String image : IMAGES) {
      Path out = dir.resolve(image + ".plain.qcow2");
      ToolRun.ok("convert", "--object", KEY, "-O", "qcow2", "--image-opts", opts(image),
          out.toString());
      assertTrue(QemuJudge.check(out).clean(), image);
      Qemu.Result cmp = Qemu.run("qemu-img", "compare", "--object", KEY, "--image-opts",
          opts(image), "driver=qcow2,file.filename=" + out);
      assertEquals(0, cmp.exitCode(), image + ": " + cmp.stdout() + cmp.stderr());
    }
  }

  /**
   * Snapshots of a LUKS image with the key, written by the tool: made, reverted to after qemu-io
   * wrote through the image, and deleted; qemu-img reads the guest as it was at the snapshot
   * and checks the image clean after each step.
   */
  @Test
  void snapshotsOfEncryptedImages() throws IOException {
    Qemu.assumeAvailable();
    Path copy = dir.resolve("snap.qcow2");
    Files.copy(dir.resolve("luks.qcow2"), copy, StandardCopyOption.REPLACE_EXISTING);
    String o = opts("snap.qcow2");
    ToolRun.ok("snapshot", "--object", KEY, "-c", "s1", "--image-opts", o);
    Qemu.ok("qemu-io", "--object", KEY, "--image-opts", o, "-c", "write -P 0x77 0 64k");
    assertEquals(1, Qemu.run("qemu-img", "compare", "--object", KEY, "--image-opts",
        opts("luks.qcow2"), o).exitCode(), "qemu-io's write shows before the revert");
    ToolRun.ok("snapshot", "--object", KEY, "-a", "s1", "--image-opts", o);
    Qemu.Result cmp = Qemu.run("qemu-img", "compare", "--object", KEY, "--image-opts",
        opts("luks.qcow2"), o);
    assertEquals(0, cmp.exitCode(), cmp.stdout() + cmp.stderr());
    ToolRun.ok("snapshot", "--object", KEY, "-d", "s1", "--image-opts", o);
    Qemu.Result check = Qemu.run("qemu-img", "check", "--object", KEY, "--image-opts", o);
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
  }

  /** A bitmap added to a LUKS image with the key: qemu-img lists it and checks the image clean. */
  @Test
  void bitmapsOnEncryptedImages() throws IOException {
    Qemu.assumeAvailable();
    Path copy = dir.resolve("bm.qcow2");
    Files.copy(dir.resolve("luks.qcow2"), copy, StandardCopyOption.REPLACE_EXISTING);
    String o = opts("bm.qcow2");
    ToolRun.ok("bitmap", "--object", KEY, "--add", "--image-opts", o, "b0");
    Qemu.Result info = Qemu.run("qemu-img", "info", "--output=json", "--object", KEY,
        "--image-opts", o);
    assertTrue(info.stdout().contains("\"name\": \"b0\""), info.stdout() + info.stderr());
    Qemu.Result check = Qemu.run("qemu-img", "check", "--object", KEY, "--image-opts", o);
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
    ToolRun.ok("bitmap", "--object", KEY, "--remove", "--image-opts", o, "b0");
    check = Qemu.run("qemu-img", "check", "--object", KEY, "--image-opts", o);
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
  }

  /**
   * amend of the options other than key slots, with the key, as qemu-img 7.2 amends them: the
   * same exit status and messages, and images that read the same under qemu-img (through the
   * key), with the same compat level, refcount width and size, and a clean check. Run one after
   * the other on the same pair of copies, so the last two meet a v2 image as qemu-img's do.
   */
  @Test
  void amendOfOtherOptionsOnEncryptedImages() throws IOException {
    Qemu.assumeAvailable();
    for (String side : List.of("amend-q.qcow2", "amend-t.qcow2")) {
      Files.copy(dir.resolve("luks.qcow2"), dir.resolve(side), StandardCopyOption.REPLACE_EXISTING);
    }
    for (String option : List.of("refcount_bits=8", "size=40M", "refcount_bits=16",
        "compat=0.10", "lazy_refcounts=on", "refcount_bits=8")) {
      Qemu.Result expected = Qemu.run("qemu-img", "amend", "--object", KEY, "-o", option,
          "--image-opts", opts("amend-q.qcow2"));
      ToolRun run = ToolRun.of("amend", "--object", KEY, "-o", option, "--image-opts",
          opts("amend-t.qcow2"));
      String what = option + "\nqemu-img: " + expected.stdout() + expected.stderr()
          + "\nqcow2: " + run.out() + run.err();
      assertEquals(expected.exitCode(), run.status(), what);
      assertEquals(tool(expected.stdout()), tool(run.out()), what);
      assertEquals(tool(expected.stderr()), tool(run.err()), what);
      assertFalse((run.out() + run.err()).contains(PASSPHRASE), what);
      Qemu.Result check = Qemu.run("qemu-img", "check", "--object", KEY, "--image-opts",
          opts("amend-t.qcow2"));
      assertEquals(0, check.exitCode(), what + "\n" + check.stdout() + check.stderr());
      String[] fields = {"\"compat\"", "\"refcount-bits\"", "\"virtual-size\"",
          "\"lazy-refcounts\""};
      String q = Qemu.run("qemu-img", "info", "--output=json", "--object", KEY, "--image-opts",
          opts("amend-q.qcow2")).stdout();
      String t = Qemu.run("qemu-img", "info", "--output=json", "--object", KEY, "--image-opts",
          opts("amend-t.qcow2")).stdout();
      for (String f : fields) {
        assertEquals(q.lines().filter(l -> l.contains(f)).toList(),
            t.lines().filter(l -> l.contains(f)).toList(), what);
      }
      for (String side : List.of("amend-q", "amend-t")) {
        ok("qemu-img", "convert", "--object", KEY, "-O", "raw", "--image-opts",
            opts(side + ".qcow2"), dir.resolve(side + ".raw").toString());
      }
      assertArrayEquals(Files.readAllBytes(dir.resolve("amend-q.raw")),
          Files.readAllBytes(dir.resolve("amend-t.raw")), what);
    }
  }

  /** Runs {@code args} (DIR: the images' directory, OUT: each side's output) in both tools. */
  static void same(String[] args) throws IOException {
    List<String> q = new ArrayList<>(List.of("qemu-img"));
    List<String> t = new ArrayList<>();
    for (String a : args) {
      String d = a.replace("DIR", dir.toString());
      q.add(d.replace("OUT", dir.resolve("out.qemu").toString()));
      t.add(d.replace("OUT", dir.resolve("out.tool").toString()));
    }
    Qemu.Result expected = Qemu.run(q, dir);
    ToolRun run = ToolRun.of(t.toArray(String[]::new));
    String what = String.join(" ", t) + "\nqemu-img: " + expected.stdout() + expected.stderr()
        + "\nqcow2: " + run.out() + run.err();
    assertEquals(expected.exitCode(), run.status(), what);
    assertEquals(tool(expected.stdout()), tool(run.out()), what);
    assertEquals(tool(expected.stderr()), tool(run.err()), what);
    // Whatever happened, the passphrase is never printed.
    assertFalse((run.out() + run.err()).contains(PASSPHRASE), what);
  }

  private static String tool(String text) {
    return text.replace("qemu-img: ", "qcow2: ")
        .replace("Try 'qemu-img --help'", "Try 'qcow2 --help'")
        .replace(dir.resolve("out.qemu").toString(), "OUT")
        .replace(dir.resolve("out.tool").toString(), "OUT");
  }
}
