package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.testing.CryptoGolden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The env key {@code keySecret} reaches the core in each accepted form, opens the encrypted
 * golden images read-only by default, and is never shown.
 */
class EncryptedEnvTest {
  @TempDir Path dir;

  private Path golden(String name) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, CryptoGolden.bytes(name));
    return p;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void everyFormOfTheSecretOpensTheImage() throws Exception {
    Path img = golden(CryptoGolden.LUKS);
    String pass = CryptoGolden.LUKS_PASSPHRASE;
    Supplier<char[]> supplier = pass::toCharArray;
    // A key file holds the passphrase byte for byte (no newline), as --object secret,file=.
    Path keyFile = Files.write(img.resolveSibling("luks.key"),
        pass.getBytes(StandardCharsets.UTF_8));
    for (Object secret : new Object[] {pass.toCharArray(),
        pass.getBytes(StandardCharsets.UTF_8), pass, supplier, keyFile}) {
      try (FileSystem fs = FileSystems.newFileSystem(img, Map.of("keySecret", secret))) {
        byte[] disk = Files.readAllBytes(fs.getPath("/disk"));
        assertEquals(CryptoGolden.sums().get(CryptoGolden.LUKS), sha256(disk),
            secret.getClass().getName());
        assertTrue(fs.isReadOnly(), "encrypted images open read-only by default, for now");
      }
    }
    // Another image's passphrase unlocks nothing.
    assertThrows(EncryptionKeyException.class, () -> FileSystems.newFileSystem(img,
        Map.of("keySecret", CryptoGolden.AES_PASSPHRASE)));
  }

  private static char[] askThePassphrase() {
    return CryptoGolden.LUKS_PASSPHRASE.toCharArray();
  }

  @Test
  void theReadmeExampleReads() throws Exception {
    Path image = golden(CryptoGolden.LUKS);
    // begin:keySecret
    char[] passphrase = askThePassphrase();
    byte[] first = new byte[512];
    try (FileSystem fs = FileSystems.newFileSystem(image, Map.of("keySecret", passphrase));
         FileChannel disk = FileChannel.open(fs.getPath("/disk"))) {
      disk.read(ByteBuffer.wrap(first), 0);
    } finally {
      Arrays.fill(passphrase, '\0');
    }
    // end:keySecret
    byte[] expected = new byte[512];
    Arrays.fill(expected, (byte) 0x5a);
    assertArrayEquals(expected, first);
  }

  @Test
  void readmeShowsTheExample() throws IOException {
    String source = Files.readString(
        Path.of("src/test/java/io/github/qcow2nio/provider/EncryptedEnvTest.java"));
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = Pattern.compile("// begin:(\\w+)\\n(.*?)\\n\\s*// end:\\1", Pattern.DOTALL)
        .matcher(source);
    assertTrue(m.find(), "the example's markers");
    List<String> lines = m.group(2).lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    String snippet = String.join("\n", lines.stream()
        .map(l -> l.length() >= indent ? l.substring(indent) : l).toList());
    assertTrue(readme.contains(snippet), "provider/README.md lacks the keySecret example as it "
        + "is here:\n" + snippet);
  }

  @Test
  void legacyAesOpensToo() throws Exception {
    Path img = golden(CryptoGolden.AES);
    try (FileSystem fs = FileSystems.newFileSystem(img,
        Map.of("keySecret", CryptoGolden.AES_PASSPHRASE.toCharArray()))) {
      assertEquals(CryptoGolden.sums().get(CryptoGolden.AES),
          sha256(Files.readAllBytes(fs.getPath("/disk"))));
    }
  }

  @Test
  void missingWrongAndBadSecretsSayWhatToDoWithoutShowingIt() throws Exception {
    Path img = golden(CryptoGolden.LUKS);
    EncryptionKeyException missing = assertThrows(EncryptionKeyException.class,
        () -> FileSystems.newFileSystem(img, Map.of()));
    assertTrue(missing.getMessage().contains("'keySecret'"), missing.getMessage());
    EncryptionKeyException wrong = assertThrows(EncryptionKeyException.class,
        () -> FileSystems.newFileSystem(img, Map.of("keySecret", "hunter2")));
    assertTrue(wrong.getMessage().endsWith("Invalid password, cannot unlock any keyslot"));
    assertFalse(wrong.getMessage().contains("hunter2"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(img, Map.of("keySecret", 424242)));
    assertFalse(bad.getMessage().contains("424242"), bad.getMessage());
    assertTrue(bad.getMessage().contains("keySecret"), bad.getMessage());
    IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(img, Map.of("keySecret", img.resolveSibling("none.key"))));
    assertTrue(noFile.getMessage().contains("none.key"), noFile.getMessage());
    // A key file whose bytes are another passphrase (a trailing newline is part of the secret).
    Path withNewline = Files.write(img.resolveSibling("newline.key"),
        (CryptoGolden.LUKS_PASSPHRASE + "\n").getBytes(StandardCharsets.UTF_8));
    assertThrows(EncryptionKeyException.class,
        () -> FileSystems.newFileSystem(img, Map.of("keySecret", withNewline)));
    // Legacy AES images are read-only (LUKS ones are writable).
    UnsupportedImageException rw = assertThrows(UnsupportedImageException.class,
        () -> FileSystems.newFileSystem(golden(CryptoGolden.AES), Map.of("keySecret", "x",
            "accessMode", "readWrite")));
    assertTrue(rw.getMessage().contains("writing encrypted images is not supported"));
  }

  @Test
  void theEnvRecordHidesTheSecretAndTheProviderWipesItsCopy() {
    char[] pass = "hunter2-secret".toCharArray();
    Qcow2Env env = Qcow2Env.parse(Map.of("keySecret", pass));
    assertFalse(env.toString().contains("hunter2"), env.toString());
    assertArrayEquals("hunter2-secret".toCharArray(), pass, "the caller's array is copied");
    env.keySecret().destroy();
    assertTrue(env.keySecret().isDestroyed());
  }
}
