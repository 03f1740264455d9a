package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.EncryptionInfo;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code qcow2 amend -o encrypt.*} against {@code qemu-img amend} on copies of one LUKS image
 * qemu-img made (slot 0 holding "abc", slot 1 "def", 10 ms of PBKDF2 each): every success and
 * refusal prints and exits as qemu-img's, and leaves the same slots active. Then the other tool
 * is the judge: slots the tool adds open under qemu-img (its convert reads the same guest) and
 * under cryptsetup, slots qemu-img adds open under the tool, removed slots open in neither, and
 * {@code qemu-img check} finds what the tool wrote clean.
 */
@Tag("qemu")
class KeySlotsAgainstQemuTest {
  @TempDir static Path dir;
  private static final String SECRETS = "--object secret,id=sec0,data=abc --object "
      + "secret,id=sec1,data=def --object secret,id=sec2,data=ghi --object secret,id=bad,data=zzz";
  /** The passphrases the secrets hold: none may ever be printed. */
  private static final List<String> PASSPHRASES = List.of("abc", "def", "ghi", "zzz");

  @BeforeAll
  static void makeImage() throws IOException {
    if (!Qemu.available()) {
      return;
    }
    Path base = dir.resolve("base.qcow2");
    ok("qemu-img", "create", "-q", "-f", "qcow2", "--object", "secret,id=sec0,data=abc", "-o",
        "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10", base.toString(),
        "4M");
    ok(args("qemu-io " + SECRETS + " --image-opts " + opts(base, "sec0")
        + " -c WRITE1 -c WRITE2", "write -P 0x5a 0 70k", "write -P 0x11 1M 4k"));
    ok(args("qemu-img amend " + SECRETS + " --image-opts " + opts(base, "sec0")
        + " -o encrypt.state=active,encrypt.new-secret=sec1,encrypt.iter-time=10"));
    ok(args("qemu-img convert " + SECRETS + " --image-opts " + opts(base, "sec0") + " -O raw "
        + dir.resolve("base.raw")));
  }

  /** The words of {@code line} (split at spaces), each WRITEn replaced by {@code writes[n-1]}. */
  private static String[] args(String line, String... writes) {
    List<String> a = new ArrayList<>();
    for (String w : line.split(" ")) {
      a.add(w.startsWith("WRITE") ? writes[Integer.parseInt(w.substring(5)) - 1] : w);
    }
    return a.toArray(String[]::new);
  }

  private static Qemu.Result ok(String... command) throws IOException {
    Qemu.Result r = Qemu.run(List.of(command), dir);
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
    return r;
  }

  private static String opts(Path image, String key) {
    return "driver=qcow2,file.filename=" + image + ",encrypt.key-secret=" + key;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Adding, to the first free slot or a named one, and overwriting by force.
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.iter-time=10",
        "sec1|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=5,"
            + "encrypt.iter-time=10",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=1,"
            + "encrypt.iter-time=10 --force",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=0x3,"
            + "encrypt.iter-time=0",
        // Removing, by number and by passphrase, and an inactive slot by force.
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=1",
        "sec0|-o encrypt.state=inactive,encrypt.old-secret=sec1",
        "sec1|-o encrypt.state=inactive,encrypt.old-secret=sec1,encrypt.keyslot=1",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=5 --force",
        // qemu-img's refusals.
        "bad|-o encrypt.state=active,encrypt.new-secret=sec2",
        "nosuch|-o encrypt.state=active,encrypt.new-secret=sec2",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=1",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=8",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=-1",
        "sec0|-o encrypt.state=active,encrypt.keyslot=3",
        "sec0|-o encrypt.state=active,encrypt.new-secret=nosuch",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.old-secret=sec0",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,encrypt.iter-time=-5",
        "sec0|-o encrypt.state=inactive",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=5",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=9",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=010",
        "sec0|-o encrypt.state=inactive,encrypt.old-secret=sec2",
        "sec0|-o encrypt.state=inactive,encrypt.old-secret=nosuch",
        "sec0|-o encrypt.state=inactive,encrypt.old-secret=sec0,encrypt.keyslot=1",
        "sec0|-o encrypt.state=inactive,encrypt.new-secret=sec1",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=1,encrypt.iter-time=10",
        "sec0|-o encrypt.state=bogus",
        "sec0|-o encrypt.state",
        "sec0|-o encrypt.keyslot=2",
        "sec0|-o encrypt.keyslot=abc",
        "sec0|-o encrypt.keyslot=99999999999999999999",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=99999999999",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,"
            + "encrypt.iter-time=18446744073709551615",
        "sec0|-o encrypt.format=luks",
        "sec0|-o encrypt.state=active,encrypt.new-secret=sec2,compat=0.9",
        "sec0|-o encrypt.state=inactive,encrypt.keyslot=0,refcount_bits=3")
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sameAsQemuImg(String c) throws IOException {
    Qemu.assumeAvailable();
    String key = c.substring(0, c.indexOf('|'));
    String[] rest = c.substring(c.indexOf('|') + 1).split(" ");
    Path q = copy("q.qcow2");
    Path t = copy("t.qcow2");
    List<String> qArgs = new ArrayList<>(List.of(args("qemu-img amend " + SECRETS)));
    qArgs.addAll(List.of("--image-opts", opts(q, key)));
    qArgs.addAll(Arrays.asList(rest));
    Qemu.Result expected = Qemu.run(qArgs, dir);
    List<String> tArgs = new ArrayList<>(qArgs.subList(1, qArgs.size()));
    tArgs.set(tArgs.indexOf(opts(q, key)), opts(t, key));
    ToolRun run = ToolRun.of(tArgs.toArray(String[]::new));
    String what = c + "\nqemu-img: " + expected.stdout() + expected.stderr() + "\nqcow2: "
        + run.out() + run.err();
    assertEquals(expected.exitCode(), run.status(), what);
    assertEquals(normal(expected.stdout(), q), normal(run.out(), t), what);
    assertEquals(normal(expected.stderr(), q), normal(run.err(), t), what);
    for (String p : PASSPHRASES) {
      assertFalse((run.out() + run.err()).contains(p), what);
    }
    assertEquals(active(q), active(t), what + ": the active key slots");
    if (expected.exitCode() != 0) {
      assertTrue(Arrays.equals(Files.readAllBytes(dir.resolve("base.qcow2")),
          Files.readAllBytes(t)), what + ": a refused call changed the image");
    }
  }

  /**
   * The tool's output in qemu-img's terms; the PBKDF rate (measured on each side) is the one
   * number that may differ.
   */
  private static String normal(String text, Path image) {
    return text.replace("qemu-img: ", "qcow2: ").replace(image.toString(), "IMG")
        .replaceAll("PBKDF iterations [0-9]+ ", "PBKDF iterations N ");
  }

  private static Path copy(String name) throws IOException {
    Path p = dir.resolve(name);
    Files.copy(dir.resolve("base.qcow2"), p, StandardCopyOption.REPLACE_EXISTING);
    return p;
  }

  private static List<Boolean> active(Path image) throws IOException {
    return slots(image).stream().map(EncryptionInfo.KeySlot::active).toList();
  }

  private static List<EncryptionInfo.KeySlot> slots(Path image) throws IOException {
    return ImageMetadata.read(new PathLocation(image), true).encryption().luks().slots();
  }

  @Test
  void slotsTheToolAddsOpenUnderQemuImgAndCryptsetup() throws IOException {
    Qemu.assumeAvailable();
    Path t = copy("added.qcow2");
    ToolRun.ok(args("amend " + SECRETS + " --image-opts " + opts(t, "sec1")
        + " -o encrypt.state=active,encrypt.new-secret=sec2,encrypt.keyslot=6,"
        + "encrypt.iter-time=10"));
    assertEquals(List.of(true, true, false, false, false, false, true, false), active(t));
    for (String key : List.of("sec0", "sec1", "sec2")) {
      assertEquals(List.of(), sameGuestUnderQemu(t, key), key);
    }
    Qemu.Result check = Qemu.run(List.of(args("qemu-img check " + SECRETS + " --image-opts "
        + opts(t, "sec2"))), dir);
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
    if (HostTools.onPath("cryptsetup")) {
      Path header = luksArea(t);
      String dump = HostTools.ok("cryptsetup", "luksDump", header.toString());
      for (int i = 0; i < 8; i++) {
        boolean on = i == 0 || i == 1 || i == 6;
        assertTrue(dump.contains("Key Slot " + i + ": " + (on ? "ENABLED" : "DISABLED")), dump);
      }
      assertEquals(0, cryptsetupOpens(header, "ghi"));
      assertEquals(0, cryptsetupOpens(header, "abc"));
      assertNotEquals(0, cryptsetupOpens(header, "zzz"));
    }
    // Removed by passphrase: neither tool opens with it any more; the others still open.
    ToolRun.ok(args("amend " + SECRETS + " --image-opts " + opts(t, "sec0")
        + " -o encrypt.state=inactive,encrypt.old-secret=sec2"));
    List<String> refused = sameGuestUnderQemu(t, "sec2");
    assertEquals(1, refused.size(), refused.toString());
    assertTrue(refused.get(0).contains("Invalid password, cannot unlock any keyslot"),
        refused.toString());
    assertEquals(List.of(), sameGuestUnderQemu(t, "sec1"));
    assertTrue(toolCompare(t, "sec2").err().contains("Invalid password"));
    if (HostTools.onPath("cryptsetup")) {
      assertNotEquals(0, cryptsetupOpens(luksArea(t), "ghi"));
    }
  }

  @Test
  void slotsQemuImgAddsOpenUnderTheToolAndItsRemovalsTakeHold() throws IOException {
    Qemu.assumeAvailable();
    Path q = copy("qemu-added.qcow2");
    ok(args("qemu-img amend " + SECRETS + " --image-opts " + opts(q, "sec0")
        + " -o encrypt.state=active,encrypt.new-secret=sec2,encrypt.iter-time=10"));
    ToolRun same = toolCompare(q, "sec2");
    assertEquals(0, same.status(), same.err());
    assertEquals("Images are identical.\n", same.out());
    // The tool removes the slot qemu-img added; qemu-img no longer opens with it.
    ToolRun.ok(args("amend " + SECRETS + " --image-opts " + opts(q, "sec0")
        + " -o encrypt.state=inactive,encrypt.keyslot=2"));
    assertEquals(1, sameGuestUnderQemu(q, "sec2").size());
    assertEquals(List.of(), sameGuestUnderQemu(q, "sec0"));
    // qemu-img removes slot 1 (the tool's view agrees).
    ok(args("qemu-img amend " + SECRETS + " --image-opts " + opts(q, "sec0")
        + " -o encrypt.state=inactive,encrypt.keyslot=1"));
    assertTrue(toolCompare(q, "sec1").err().contains("Invalid password"));
    assertEquals(0, toolCompare(q, "sec0").status());
  }

  /** The tool's compare of the image, unlocked with {@code key}, against the seed's raw guest. */
  private static ToolRun toolCompare(Path image, String key) {
    return ToolRun.of(args("compare " + SECRETS + " --image-opts " + opts(image, key)
        + " driver=raw,file.filename=" + dir.resolve("base.raw")));
  }

  /**
   * qemu-img convert's reading of the image with {@code key} against the seed's guest: nothing
   * when equal, else what went wrong.
   */
  private static List<String> sameGuestUnderQemu(Path image, String key) throws IOException {
    Path raw = dir.resolve("check.raw");
    Files.deleteIfExists(raw);
    Qemu.Result r = Qemu.run(List.of(args("qemu-img convert " + SECRETS + " --image-opts "
        + opts(image, key) + " -O raw " + raw)), dir);
    if (r.exitCode() != 0) {
      return List.of(r.stderr());
    }
    return Arrays.equals(Files.readAllBytes(dir.resolve("base.raw")), Files.readAllBytes(raw))
        ? List.of() : List.of("the guest differs");
  }

  /** The LUKS area of {@code image} as a file of its own, as cryptsetup reads a LUKS device. */
  private static Path luksArea(Path image) throws IOException {
    byte[] b = Files.readAllBytes(image);
    ImageMetadata m = ImageMetadata.read(new PathLocation(image), true);
    var area = m.extensions().crypto().orElseThrow();
    Path out = dir.resolve(image.getFileName() + ".luks");
    Files.write(out, Arrays.copyOfRange(b, (int) area.offset(),
        (int) (area.offset() + area.length())));
    assertEquals(0x4C554B53, ByteBuffer.wrap(Files.readAllBytes(out)).getInt(), "LUKS magic");
    return out;
  }

  private static int cryptsetupOpens(Path header, String passphrase) {
    return HostTools.run(passphrase.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "cryptsetup", "open", "--test-passphrase", "--key-file=-", header.toString())
        .status();
  }
}
