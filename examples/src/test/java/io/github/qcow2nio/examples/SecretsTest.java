package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.testing.CryptoGolden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets through the tool without qemu-img: the committed golden images (made by qemu-img 7.2,
 * format's test jar) convert to the guest bytes qemu-img read from them, given the passphrase by
 * {@code data=}, {@code file=} or base64; and no passphrase, right or wrong, ever appears in the
 * tool's output, an exception message or a {@code toString}.
 */
class SecretsTest {
  @TempDir Path dir;

  private Path golden(String name) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, CryptoGolden.bytes(name));
    return p;
  }

  private static String opts(Path image) {
    return "driver=qcow2,file.filename=" + image + ",encrypt.key-secret=s0";
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void convertsTheGoldenImagesToWhatQemuImgRead() throws Exception {
    for (String name : List.of(CryptoGolden.LUKS, CryptoGolden.AES)) {
      String pass = name.equals(CryptoGolden.LUKS) ? CryptoGolden.LUKS_PASSPHRASE
          : CryptoGolden.AES_PASSPHRASE;
      Path image = golden(name);
      Path keyFile = dir.resolve(name + ".key");
      Files.writeString(keyFile, pass);
      String b64 = Base64.getEncoder().encodeToString(pass.getBytes(StandardCharsets.UTF_8));
      for (String def : List.of("secret,id=s0,data=" + pass, "secret,id=s0,file=" + keyFile,
          "secret,id=s0,format=base64,data=" + b64)) {
        Path out = dir.resolve(name + ".raw");
        Files.deleteIfExists(out);
        ToolRun run = ToolRun.ok("convert", "--object", def, "-O", "raw", "--image-opts",
            opts(image), out.toString());
        assertEquals(CryptoGolden.sums().get(name), sha256(out), name + " " + def);
        assertFalse(run.out().contains(pass), def);
      }
    }
  }

  @Test
  void infoShowsTheGoldenLuksHeaderWithoutAKey() throws IOException {
    Path image = golden(CryptoGolden.LUKS);
    ToolRun run = ToolRun.ok("info", image.toString());
    // What make-golden.sh asked qemu-img to create: aes-128-cbc-plain64, sha256, one slot.
    assertTrue(run.out().contains("        cipher alg: aes-128\n"), run.out());
    assertTrue(run.out().contains("        cipher mode: cbc\n"), run.out());
    assertTrue(run.out().contains("        ivgen alg: plain64\n"), run.out());
    assertTrue(run.out().contains("        hash alg: sha256\n"), run.out());
    assertEquals(1, run.out().split("active: true", -1).length - 1, run.out());
    assertEquals(7, run.out().split("active: false", -1).length - 1, run.out());
    ToolRun aes = ToolRun.ok("info", "--output=json", golden(CryptoGolden.AES).toString());
    assertTrue(aes.out().contains("\"encrypt\": {\n                \"format\": \"aes\"\n"),
        aes.out());
  }

  @Test
  void noPassphraseIsEverPrinted() throws IOException {
    Path luks = golden(CryptoGolden.LUKS);
    Path aes = golden(CryptoGolden.AES);
    String wrong = "Wr0ng-Passphrase-0815";
    for (String pass : List.of(CryptoGolden.LUKS_PASSPHRASE, wrong)) {
      for (Path image : List.of(luks, aes)) {
        for (String[] args : List.of(
            new String[] {"info", "--object", "secret,id=s0,data=" + pass, "--image-opts",
                opts(image)},
            new String[] {"check", "--object", "secret,id=s0,data=" + pass, "--image-opts",
                opts(image)},
            new String[] {"map", "--object", "secret,id=s0,data=" + pass, "--image-opts",
                opts(image)},
            new String[] {"convert", "--object", "secret,id=s0,data=" + pass, "-O", "raw",
                "--image-opts", opts(image), dir.resolve("o.raw").toString()},
            new String[] {"snapshot", "--object", "secret,id=s0,data=" + pass, "-c", "x",
                "--image-opts", opts(image)},
            new String[] {"convert", "--object", "secret,id=s0,data=" + pass + ",bogus=1",
                "-O", "raw", "--image-opts", opts(image), dir.resolve("o.raw").toString()},
            new String[] {"convert", "--object", "secret,id=0s,data=" + pass, "-O", "raw",
                "--image-opts", opts(image), dir.resolve("o.raw").toString()},
            new String[] {"convert", "--object", "secret,id=s0,format=base64,data=" + pass,
                "-O", "raw", "--image-opts", opts(image), dir.resolve("o.raw").toString()})) {
          ToolRun run = ToolRun.of(args);
          String all = run.out() + run.err();
          assertFalse(all.contains(pass), String.join(" ", args) + "\n" + all);
        }
      }
    }
    // The core's exceptions: a wrong passphrase is named as such, never shown.
    IOException e = assertThrows(IOException.class, () -> ImageOperations.convert(
        ConvertOptions.builder(new ImageSource(luks, "qcow2", null, false, null,
            KeySecret.of(wrong.toCharArray())), dir.resolve("x.raw"), "raw").build()));
    assertTrue(e.getMessage().contains("Invalid password"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(wrong), t.toString());
    }
  }

  @Test
  void toStringsHideTheSecret() throws ToolError {
    SecretDefinition d = SecretDefinition.parse("secret,id=s0,data=hunter2", java.util.Set.of());
    assertFalse(d.toString().contains("hunter2"), d.toString());
    SecretObjects s = SecretObjects.load(List.of("secret,id=s0,data=hunter2"));
    assertFalse(s.toString().contains("hunter2"), s.toString());
    KeySecret k = s.keySecret("s0", "x");
    assertFalse(k.toString().contains("hunter2"), k.toString());
    assertFalse(new ImageSource(Path.of("a"), null, null, false, null, k).toString()
        .contains("hunter2"));
  }

  /** {@code wipe} zeroes what was loaded; the KeySecret handed out keeps its own copy. */
  @Test
  void wipeZeroesTheLoadedSecrets() throws Exception {
    SecretObjects s = SecretObjects.load(List.of("secret,id=s0,data=hunter2"));
    KeySecret k = s.keySecret("s0", "x");
    java.lang.reflect.Field f = SecretObjects.class.getDeclaredField("secrets");
    f.setAccessible(true);
    byte[] held = ((java.util.Map<?, byte[]>) f.get(s)).get("s0");
    s.wipe();
    assertArrayEquals(new byte[7], held);
    assertFalse(s.has("s0"));
    assertThrows(ToolError.class, () -> s.keySecret("s0", "x"));
    assertFalse(k.isDestroyed());
  }

  /** On canonical base64 the GLib-style decoder agrees with the JDK's. */
  @Test
  void base64AgreesWithTheJdkOnCanonicalText() throws ToolError {
    Random r = new Random(3);
    for (int i = 0; i < 500; i++) {
      byte[] b = new byte[r.nextInt(80)];
      r.nextBytes(b);
      String text = i % 2 == 0 ? Base64.getEncoder().encodeToString(b)
          : Base64.getMimeEncoder(8, new byte[] {'\n'}).encodeToString(b);
      assertArrayEquals(b, SecretValue.base64(text.getBytes(StandardCharsets.US_ASCII)), text);
    }
    assertThrows(ToolError.class, () -> SecretValue.base64("ab cd".getBytes(
        StandardCharsets.US_ASCII)));
  }
}
