package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.HeaderPatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --backing-policy} and {@code --confine-to} on every command that opens an image beyond
 * the five of {@link ReferencePolicyToolTest}: an upload naming a host file (by absolute name,
 * by {@code ..}, through a symbolic link, as its backing file or its data file) is refused with
 * the policy and the name in the message and a non-zero status, and nothing of the host file is
 * read or changed; without the options every command follows the name, as before.
 */
class ReferencePolicyCommandsTest {
  @TempDir Path dir;
  Path secret;
  /** A second host file, named as a data file (creating that image writes it). */
  Path hostData;
  Path uploads;
  /** Names the host file by its absolute name. */
  Path absolute;
  /** Names it as {@code ../secret.raw}. */
  Path dotDot;
  /** Names {@code link.raw}, a symbolic link in uploads to the host file. */
  Path link;
  /** Names {@code base.raw}, beside it in uploads: allowed when confined to uploads. */
  Path inside;
  /** Its external data file is the host file, by absolute name. */
  Path dataFile;

  @BeforeEach
  void uploads() throws IOException {
    secret = Files.write(dir.resolve("secret.raw"), secretBytes());
    uploads = Files.createDirectories(dir.resolve("uploads"));
    absolute = upload("absolute.qcow2", secret.toString());
    dotDot = upload("dotdot.qcow2", "../secret.raw");
    Files.createSymbolicLink(uploads.resolve("link.raw"), secret);
    link = upload("link.qcow2", "link.raw");
    Files.write(uploads.resolve("base.raw"), new byte[1 << 20]);
    inside = upload("inside.qcow2", "base.raw");
    hostData = dir.resolve("host-data.raw");
    dataFile = uploads.resolve("data.qcow2");
    Qcow2Image.create(dataFile, CreateOptions.builder(1 << 20).dataFile(hostData.toString())
        .build()).close();
    Files.write(hostData, secretBytes());
  }

  private static byte[] secretBytes() {
    byte[] b = new byte[1 << 20];
    byte[] word = "password".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + word.length <= b.length; i += 512) {
      System.arraycopy(word, 0, b, i, word.length);
    }
    return b;
  }

  private Path upload(String name, String backing) throws IOException {
    Path p = uploads.resolve(name);
    Qcow2Image.create(p, CreateOptions.builder(1 << 20).build()).close();
    HeaderPatch.nameBacking(p, backing, "raw");
    return p;
  }

  /** Every command that opens an image, with {@code options} before the image. */
  private List<String[]> commands(Path image, String... options) {
    List<Function<String, String[]>> forms = List.of(
        img -> new String[] {"info", img},
        img -> new String[] {"info", "--backing-chain", img},
        img -> new String[] {"info", "--output=json", "--backing-chain", img},
        img -> new String[] {"check", img},
        img -> new String[] {"check", "-r", "all", img},
        img -> new String[] {"commit", img},
        img -> new String[] {"rebase", "-b", "", img},
        img -> new String[] {"amend", "-o", "lazy_refcounts=on", img},
        img -> new String[] {"resize", img, "2M"},
        img -> new String[] {"snapshot", "-l", img},
        img -> new String[] {"snapshot", "-c", "s1", img},
        img -> new String[] {"bitmap", "--add", img, "b0"},
        img -> new String[] {"partitions", img},
        img -> new String[] {"ls", img, "/"},
        img -> new String[] {"cat", img, "/x"},
        img -> new String[] {"get", img, "/x", dir.resolve("got").toString()});
    List<String[]> out = new ArrayList<>();
    for (Function<String, String[]> f : forms) {
      String[] args = f.apply(image.toString());
      List<String> a = new ArrayList<>(List.of(args[0]));
      a.addAll(List.of(options));
      a.addAll(Arrays.asList(args).subList(1, args.length));
      out.add(a.toArray(String[]::new));
    }
    return out;
  }

  private void assertRefused(String[] args, String name, String policy) throws IOException {
    ToolRun run = ToolRun.of(args);
    String what = String.join(" ", args) + "\n" + run.err();
    assertNotEquals(0, run.status(), what);
    assertTrue(run.err().contains("'" + name + "' refused by backingPolicy=" + policy), what);
    assertTrue(run.err().startsWith("qcow2: "), what);
    assertTrue(!run.err().contains("\tat "), "no stack trace: " + what);
    assertTrue(!run.out().contains("password"), what);
    assertTrue(Arrays.equals(secretBytes(), Files.readAllBytes(secret)), "host file unchanged");
    assertTrue(Arrays.equals(secretBytes(), Files.readAllBytes(hostData)), "host data unchanged");
  }

  @Test
  void everyCommandRefusesAnAbsoluteNameUnderNone() throws IOException {
    for (String[] args : commands(absolute, "--backing-policy=none")) {
      assertRefused(args, secret.toString(), "none");
    }
  }

  @Test
  void everyCommandRefusesANameLeavingTheDirectoryUnderConfined() throws IOException {
    String[] confined = {"--backing-policy=confined", "--confine-to=" + uploads};
    for (Path image : List.of(absolute, dotDot, link)) {
      String name = image == absolute ? secret.toString()
          : image == dotDot ? "../secret.raw" : "link.raw";
      for (String[] args : commands(image, confined)) {
        assertRefused(args, name, "confined");
      }
    }
  }

  @Test
  void aDataFileIsRefusedLikeABackingFile() throws IOException {
    for (String[] args : List.of(
        new String[] {"info", "--backing-policy=none", dataFile.toString()},
        new String[] {"check", "--backing-policy=none", dataFile.toString()},
        new String[] {"snapshot", "--backing-policy=none", "-l", dataFile.toString()},
        new String[] {"resize", "--backing-policy=none", dataFile.toString(), "2M"},
        new String[] {"ls", "--backing-policy=none", dataFile.toString(), "/"},
        new String[] {"check", "--backing-policy=confined", "--confine-to=" + uploads,
            dataFile.toString()})) {
      assertRefused(args, hostData.toString(),
          args[1].substring("--backing-policy=".length()));
    }
  }

  @Test
  void aNewBackingFileOutsideIsRefusedByRebaseAndCreate() throws IOException {
    String[] confined = {"--backing-policy=confined", "--confine-to=" + uploads};
    Path fresh = uploads.resolve("fresh.qcow2");
    Qcow2Image.create(fresh, CreateOptions.builder(1 << 20).build()).close();
    Path created = uploads.resolve("new.qcow2");
    for (String name : List.of("../secret.raw", secret.toString(), "link.raw")) {
      assertRefused(concat(new String[] {"rebase"}, confined,
          new String[] {"-b", name, "-F", "raw", fresh.toString()}), name, "confined");
      assertRefused(concat(new String[] {"rebase"}, confined,
          new String[] {"-u", "-b", name, "-F", "raw", fresh.toString()}), name, "confined");
      assertRefused(concat(new String[] {"create"}, confined, new String[] {"-f", "qcow2",
          "-b", name, "-F", "raw", created.toString()}), name, "confined");
    }
    assertTrue(!ToolRun.ok("info", fresh.toString()).out().contains("backing file"),
        "the overlay kept no name");
    assertTrue(!Files.exists(created), "nothing created");
  }

  @Test
  void bitmapRefusesAMergeSourceNamingAHostFile() throws IOException {
    Path target = uploads.resolve("target.qcow2");
    Qcow2Image.create(target, CreateOptions.builder(1 << 20).build()).close();
    ToolRun.ok("bitmap", "--add", target.toString(), "b1");
    assertRefused(new String[] {"bitmap", "--backing-policy=none", "--merge", "b0", "-b",
        absolute.toString(), target.toString(), "b1"}, secret.toString(), "none");
  }

  @Test
  void aNameInsideTheDirectoryIsFollowedWhenConfined() {
    String[] confined = {"--backing-policy=confined", "--confine-to=" + uploads};
    ToolRun chain = ToolRun.ok(concat(new String[] {"info"}, confined,
        new String[] {"--backing-chain", inside.toString()}));
    assertTrue(chain.out().contains("base.raw"), chain.out());
    assertEquals(0, ToolRun.of(concat(new String[] {"check"}, confined,
        new String[] {inside.toString()})).status());
    ToolRun.ok(concat(new String[] {"resize"}, confined, new String[] {inside.toString(),
        "2M"}));
    ToolRun.ok(concat(new String[] {"snapshot"}, confined, new String[] {"-l",
        inside.toString()}));
  }

  @Test
  void withoutTheOptionEveryNameIsFollowedAsBefore() throws IOException {
    // The default is qemu-img's: info lists the named host file, check opens it (and fails
    // when it is missing), commit writes into it.
    ToolRun chain = ToolRun.ok("info", "--backing-chain", absolute.toString());
    assertTrue(chain.out().contains("image: " + secret), chain.out());
    assertEquals(0, ToolRun.of("check", absolute.toString()).status());
    Path missing = upload("missing.qcow2", "../gone.raw");
    ToolRun check = ToolRun.of("check", missing.toString());
    assertNotEquals(0, check.status());
    assertTrue(check.err().contains("gone.raw"), check.err());
    ToolRun.ok("snapshot", "-l", dataFile.toString());
    Path base = dir.resolve("base-outside.qcow2");
    Qcow2Image.create(base, CreateOptions.builder(1 << 20).build()).close();
    Path overlay = uploads.resolve("overlay.qcow2");
    Qcow2Image.create(overlay, CreateOptions.builder(1 << 20).build()).close();
    HeaderPatch.nameBacking(overlay, "../base-outside.qcow2", "qcow2");
    try (Qcow2Image img = Qcow2Image.open(overlay, OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap("committed".getBytes(StandardCharsets.US_ASCII)), 0);
    }
    ToolRun.ok("commit", overlay.toString());
    ByteBuffer read = ByteBuffer.allocate(9);
    try (Qcow2Image img = Qcow2Image.open(base)) {
      img.disk().read(read, 0);
    }
    assertEquals("committed", new String(read.array(), StandardCharsets.US_ASCII));
  }

  private static String[] concat(String[]... parts) {
    List<String> out = new ArrayList<>();
    for (String[] p : parts) {
      out.addAll(List.of(p));
    }
    return out.toArray(String[]::new);
  }
}
