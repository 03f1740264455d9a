package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.crypto.LuksHeaderFields;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.testing.CryptoGolden;
import io.github.qcow2nio.format.testing.Golden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ImageMetadata} and {@link EncryptionInfo}: what qemu-img info shows of an encrypted
 * image, read without its key from the golden images qemu-img 7.2 made, QEMU's names for the
 * LUKS header's fields, and damaged LUKS headers (random bytes over the golden one: a parse or
 * a named IOException, never anything else; moved here from the tool's former own LUKS reader).
 */
class ImageMetadataTest {

  private static MemoryLocation location(String name, byte[] bytes) {
    Map<String, byte[]> dir = new HashMap<>();
    dir.put(name, bytes);
    return new MemoryLocation(dir, name);
  }

  @Test
  void readsAnEncryptedImageWithoutItsKey() throws IOException {
    MemoryLocation luks = location("luks.qcow2", CryptoGolden.bytes(CryptoGolden.LUKS));
    assertThrows(EncryptionKeyException.class, () -> Qcow2Image.open(luks,
        OpenOptions.readOnly()).close());
    ImageMetadata m = ImageMetadata.read(luks, false);
    assertEquals("luks", m.encryption().format());
    EncryptionInfo.Luks l = m.encryption().luks();
    // make-golden.sh: aes-128-cbc-plain64, sha256; the payload starts where the area ends.
    assertEquals("aes-128", l.cipherAlg());
    assertEquals("cbc", l.cipherMode());
    assertEquals("plain64", l.ivgenAlg());
    assertNull(l.ivgenHashAlg());
    assertEquals("sha256", l.hashAlg());
    assertEquals(m.extensions().crypto().orElseThrow().length(), l.payloadOffset());
    assertEquals(8, l.slots().size());
    assertTrue(l.slots().get(0).active());
    assertEquals(4000, l.slots().get(0).stripes());
    assertEquals(36, l.uuid().length());

    ImageMetadata aes = ImageMetadata.read(location("aes.qcow2",
        CryptoGolden.bytes(CryptoGolden.AES)), false);
    assertEquals(new EncryptionInfo("aes", null), aes.encryption());
    assertEquals(m.header().size(), aes.header().size());
  }

  @Test
  void aPlainImageHasNoEncryption() throws IOException {
    int read = 0;
    for (String name : Golden.sums().keySet()) {
      if (name.contains("@")) {
        continue;
      }
      ImageMetadata m;
      try {
        m = ImageMetadata.read(location(name, Golden.bytes(name)), false);
      } catch (IOException refused) {
        // A golden image made to be refused (unknown features...) is refused here too.
        continue;
      }
      assertNull(m.encryption(), name);
      read++;
    }
    assertTrue(read > 5, "golden images read: " + read);
  }

  @Test
  void namesCiphersAsQemuDoes() {
    List<LuksHeaderFields.Slot> slots = List.of(new LuksHeaderFields.Slot(true, 1000, 8, 4000));
    EncryptionInfo xts = EncryptionInfo.luks(new LuksHeaderFields("aes", "xts-plain64",
        "sha256", 64, 4096, 100, "u", slots));
    assertEquals("aes-256", xts.luks().cipherAlg());
    assertEquals("xts", xts.luks().cipherMode());
    assertEquals(4096L * 512, xts.luks().payloadOffset());
    assertEquals(8L * 512, xts.luks().slots().get(0).keyOffset());
    EncryptionInfo essiv = EncryptionInfo.luks(new LuksHeaderFields("aes", "cbc-essiv:sha256",
        "sha1", 24, 4096, 100, "u", slots));
    assertEquals("aes-192", essiv.luks().cipherAlg());
    assertEquals("essiv", essiv.luks().ivgenAlg());
    assertEquals("sha256", essiv.luks().ivgenHashAlg());
    assertEquals("cast5-128", EncryptionInfo.luks(new LuksHeaderFields("cast5",
        "cbc-plain64", "sha1", 16, 4096, 1, "u", slots)).luks().cipherAlg());
    assertEquals("twofish-128", EncryptionInfo.luks(new LuksHeaderFields("twofish",
        "xts-plain64", "sha1", 32, 4096, 1, "u", slots)).luks().cipherAlg());
  }

  @Test
  void damagedLuksHeadersReadOrFailCleanly() throws IOException {
    byte[] image = CryptoGolden.bytes(CryptoGolden.LUKS);
    CryptoHeaderPointer area = CryptoGolden.luksArea(image);
    Random random = new Random(11);
    int read = 0;
    for (int round = 0; round < 2000; round++) {
      byte[] damaged = image.clone();
      // A few bytes of the 592-byte header, the key slots' fields included.
      for (int i = 0; i < 1 + random.nextInt(4); i++) {
        damaged[(int) area.offset() + random.nextInt(592)] = (byte) random.nextInt();
      }
      try {
        ImageMetadata.read(location("d.qcow2", damaged), false);
        read++;
      } catch (IOException expected) {
        assertFalse(expected.getMessage() == null || expected.getMessage().isEmpty());
      } catch (RuntimeException e) {
        fail("round " + round + " threw " + e, e);
      }
    }
    // Damage to salts, digests and the UUID's text still parses: both paths are exercised.
    assertTrue(read > 100, "too few damaged headers parsed: " + read);
    assertTrue(read < 1900, "too few damaged headers refused: " + read);
  }
}
