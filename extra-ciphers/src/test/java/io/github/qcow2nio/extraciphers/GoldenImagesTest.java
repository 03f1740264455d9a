package io.github.qcow2nio.extraciphers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Images qemu-img 7.2 made with this module's ciphers (src/test/resources/golden-extra-ciphers,
 * see its make-golden.sh), so the module is tested where qemu-img is not installed: each guest
 * disk reads here with the SHA-256 qemu-img convert gave it, and a wrong passphrase opens none.
 */
class GoldenImagesTest {
  static final String PASS = "golden-extra";
  private static final String DIR = "/golden-extra-ciphers/";

  @TempDir Path dir;

  static Map<String, String> sums() {
    Map<String, String> m = new LinkedHashMap<>();
    try (InputStream in = GoldenImagesTest.class.getResourceAsStream(DIR + "SHA256SUMS")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank()) {
          String[] parts = line.trim().split("\\s+");
          m.put(parts[1], parts[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  static Iterable<String> names() {
    return sums().keySet();
  }

  private Path unpack(String name) throws IOException {
    Path img = dir.resolve(name);
    try (InputStream in = new GZIPInputStream(
        GoldenImagesTest.class.getResourceAsStream(DIR + name + ".gz"))) {
      Files.write(img, in.readAllBytes());
    }
    return img;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void readsAsQemuImgReadIt(String name) throws IOException, NoSuchAlgorithmException {
    Path img = unpack(name);
    try (Qcow2Image image = Qcow2Image.open(img,
        OpenOptions.builder().keySecret(PASS.toCharArray()).build())) {
      byte[] disk = QemuInteropTest.read(image.disk(), (int) image.disk().size());
      assertEquals(256 * 1024, disk.length);
      assertEquals(sums().get(name),
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(disk)), name);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void aWrongPassphraseOpensNothing(String name) throws IOException {
    Path img = unpack(name);
    assertThrows(EncryptionKeyException.class, () -> Qcow2Image.open(img,
        OpenOptions.builder().keySecret("golden-extrA".toCharArray()).build()).close());
  }
}
