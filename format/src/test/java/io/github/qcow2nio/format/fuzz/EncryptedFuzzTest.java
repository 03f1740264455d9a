package io.github.qcow2nio.format.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.InspectionPolicy;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.CryptoGolden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import io.github.qcow2nio.format.testing.Mutation;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Encrypted images, built from the golden LUKS and legacy AES images by {@link Mutation}: the
 * LUKS header, its key slots and cipher names as {@code info} reads them without a key
 * ({@link ImageMetadata}), an open without a key (refused, naming the env key to set), and
 * inspection. Opens with a passphrase are left out: a header may ask for up to 2^24 PBKDF2
 * iterations per slot (the reader's bound, format/LIMITS.md), which is seconds of work per
 * input by design, not a defect for a fuzzer to find.
 */
class EncryptedFuzzTest {
  /** The seeds, in the order a seed file's first byte picks them. */
  static final List<byte[]> IMAGES = List.of(CryptoGolden.bytes(CryptoGolden.LUKS),
      CryptoGolden.bytes(CryptoGolden.AES));

  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void openEncrypted(byte[] input) {
    MemoryLocation at = new MemoryLocation(Map.of("a.qcow2", Mutation.apply(IMAGES, input)),
        "a.qcow2");
    try {
      ImageMetadata m = ImageMetadata.read(at, true);
      String.valueOf(m.encryption());
    } catch (IOException expected) {
      // a named refusal
    }
    try (Qcow2Image image = Qcow2Image.open(at, OpenOptions.builder().locking(false).build())) {
      ImageFuzzTest.readSome(image.disk());
    } catch (IOException expected) {
      // without a key: refused, or an image that turned out not to be encrypted
    }
    try {
      ImageOperations.inspect(at, InspectionPolicy.untrusted());
    } catch (IOException expected) {
      // a named refusal
    }
  }
}
