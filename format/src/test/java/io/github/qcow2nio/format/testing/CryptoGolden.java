package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The encrypted golden images under src/test/resources/golden-crypto (made by its
 * make-golden.sh with qemu-img 7.2), kept apart from the plain ones, which every golden test
 * opens without a key.
 */
public final class CryptoGolden {
  private CryptoGolden() {}

  /** LUKS, aes-128-cbc-plain64, sha256, 4 KiB clusters, 256 KiB disk. */
  public static final String LUKS = "luks-cbc.qcow2";
  public static final String LUKS_PASSPHRASE = "golden-luks";
  /** Legacy AES (crypt_method 1), 4 KiB clusters, 256 KiB disk. */
  public static final String AES = "aes.qcow2";
  /** 21 bytes, of which QEMU keys with the first 16. */
  public static final String AES_PASSPHRASE = "golden-aes-passphrase";

  /** One image's bytes, unzipped. */
  public static byte[] bytes(String name) {
    try (InputStream in = new GZIPInputStream(CryptoGolden.class.getResourceAsStream(
        "/golden-crypto/" + name + ".gz"))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Image name to the hex SHA-256 of its guest contents, as qemu-img convert read them. */
  public static Map<String, String> sums() {
    Map<String, String> m = new LinkedHashMap<>();
    try (InputStream in = CryptoGolden.class.getResourceAsStream("/golden-crypto/SHA256SUMS")) {
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

  /** Where the LUKS area of {@code image} lies, from its full-disk-encryption extension. */
  public static CryptoHeaderPointer luksArea(byte[] image) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(image);
    Header h = Header.parse(b, "golden");
    return HeaderExtensions.parse(ByteBuffer.wrap(image), h).crypto().orElseThrow();
  }
}
