package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.testing.CryptoGolden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LUKS1 header of the golden image qemu-img made (aes-128-cbc-plain64, sha256), parsed field
 * by field as {@code qemu-img info} shows it, unlocked, and then damaged field by field: every
 * damage is an IOException naming the field and its offset, never a RuntimeException.
 */
class LuksHeaderTest {
  private static byte[] image;
  private static CryptoHeaderPointer area;

  @BeforeAll
  static void load() throws IOException {
    image = CryptoGolden.bytes(CryptoGolden.LUKS);
    area = CryptoGolden.luksArea(image);
  }

  private static LuksHeader parse(byte[] img) throws IOException {
    return LuksHeader.parse(ByteBuffer.wrap(img, (int) area.offset(), LuksHeader.SIZE).slice(),
        area.offset(), area.length());
  }

  @Test
  void parsesWhatQemuImgInfoShows() throws IOException {
    // qemu-img info: cipher alg aes-128, mode cbc, ivgen plain64, hash sha256, 8 slots with
    // slot 0 active, 4000 stripes, payload offset = the area's length.
    LuksHeader h = parse(image);
    assertEquals("aes", h.cipherName());
    assertEquals("cbc-plain64", h.cipherMode());
    assertEquals("sha256", h.hashSpec());
    assertEquals(16, h.keyBytes());
    assertEquals(area.length(), h.payloadSector() * 512);
    assertEquals(36, h.uuid().length());
    assertEquals(8, h.slots().size());
    assertTrue(h.slots().get(0).active());
    for (int i = 1; i < 8; i++) {
      assertFalse(h.slots().get(i).active(), "slot " + i);
    }
    for (LuksKeySlot s : h.slots()) {
      assertEquals(4000, s.stripes());
    }
    assertTrue(h.mkDigestIterations() >= 1);
    assertEquals(new CipherSpec(false, "plain64", null, 16), h.cipher("golden"));
    assertEquals(LuksHash.SHA256, h.hash("golden"));
  }

  @Test
  void unlocksWithThePassphraseAndRefusesAnother() throws IOException {
    LuksHeader h = parse(image);
    StructReader reader = new StructReader(new MemoryHostFile("golden", image, false),
        image.length);
    byte[] key = LuksUnlock.masterKey(h, reader,
        CryptoGolden.LUKS_PASSPHRASE.getBytes(StandardCharsets.UTF_8), "golden");
    assertEquals(16, key.length);
    EncryptionKeyException e = assertThrows(EncryptionKeyException.class,
        () -> LuksUnlock.masterKey(h, reader, "golden-luks!".getBytes(StandardCharsets.UTF_8),
            "golden"));
    assertEquals("golden: Invalid password, cannot unlock any keyslot", e.getMessage());
  }

  /** Puts a big-endian int at a header offset of a copy of the image. */
  private static byte[] withInt(int headerOffset, int value) {
    byte[] copy = image.clone();
    ByteBuffer.wrap(copy).putInt((int) area.offset() + headerOffset, value);
    return copy;
  }

  private static void assertCorrupt(byte[] img, String field, int headerOffset) {
    CorruptImageException e = assertThrows(CorruptImageException.class, () -> parse(img));
    assertEquals(area.offset() + headerOffset, e.offset(), e.getMessage());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @Test
  void namesEachDamagedField() {
    byte[] magic = image.clone();
    magic[(int) area.offset() + 3] = 'X';
    assertCorrupt(magic, "LUKS header magic", 0);
    assertCorrupt(withInt(108, 0), "key-bytes", 108);
    assertCorrupt(withInt(108, 100_000), "key-bytes", 108);
    assertCorrupt(withInt(164, 0), "mk-digest-iter", 164);
    assertCorrupt(withInt(164, -1), "mk-digest-iter", 164);
    assertCorrupt(withInt(208, 0x12345678), "key slot 0 active", 208);
    assertCorrupt(withInt(212, 0), "key slot 0 iterations", 212);
    assertCorrupt(withInt(212, Integer.MAX_VALUE), "key slot 0 iterations", 212);
    assertCorrupt(withInt(208 + 48 + 44, 4001), "key slot 1 stripes", 208 + 48 + 44);
    assertCorrupt(withInt(208 + 44, -1), "key slot 0 stripes", 208 + 44);
    assertCorrupt(withInt(208 + 40, 1), "key slot 0 key-material-offset", 208 + 40);
    assertCorrupt(withInt(208 + 40, -1), "key slot 0 key-material-offset", 208 + 40);
    // Slot 2's material moved onto slot 1's.
    int slot1 = ByteBuffer.wrap(image).getInt((int) area.offset() + 208 + 48 + 40);
    assertCorrupt(withInt(208 + 2 * 48 + 40, slot1 + 1), "key slot 2 key-material-offset",
        208 + 2 * 48 + 40);
    // The payload before the last slot's material.
    assertCorrupt(withInt(104, 100), "key-material-offset", 208 + 40);
    byte[] noNul = image.clone();
    Arrays.fill(noNul, (int) area.offset() + 8, (int) area.offset() + 40, (byte) 'a');
    assertCorrupt(noNul, "cipher-name", 8);
    byte[] control = image.clone();
    control[(int) area.offset() + 73] = 7;
    assertCorrupt(control, "hash-spec", 72);
  }

  @Test
  void refusesWhatItCannotDecrypt() throws IOException {
    byte[] v2 = image.clone();
    v2[(int) area.offset() + 7] = 2;
    assertThrows(UnsupportedImageException.class, () -> parse(v2));
    byte[] twofish = image.clone();
    byte[] name = "twofish\0".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(name, 0, twofish, (int) area.offset() + 8, name.length);
    LuksHeader h = parse(twofish);
    UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
        () -> h.cipher("img"));
    // No provider module on this test class path: the message says which module adds it.
    assertEquals("img: LUKS cipher 'twofish' needs the qcow2-extra-ciphers module on the class "
        + "path", e.getMessage());
    assertEquals(LuksHash.MD5, parse(hashSpec("md5")).hash("img"));
    UnsupportedImageException r = assertThrows(UnsupportedImageException.class,
        () -> parse(hashSpec("ripemd160")).hash("img"));
    assertEquals("img: LUKS hash-spec 'ripemd160' needs the qcow2-extra-ciphers module on the "
        + "class path", r.getMessage());
    UnsupportedImageException w = assertThrows(UnsupportedImageException.class,
        () -> parse(hashSpec("whirlpool")).hash("img"));
    assertTrue(w.getMessage().contains("'whirlpool' is not supported"), w.getMessage());
  }

  private byte[] hashSpec(String name) {
    byte[] b = image.clone();
    byte[] raw = (name + "\0").getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(raw, 0, b, (int) area.offset() + 72, raw.length);
    return b;
  }

  @Test
  void aShortAreaIsCorruptNotAnOverrun() {
    assertThrows(CorruptImageException.class, () -> LuksHeader.parse(
        ByteBuffer.wrap(image, (int) area.offset(), 100).slice(), area.offset(), area.length()));
    assertThrows(CorruptImageException.class, () -> LuksHeader.parse(
        ByteBuffer.wrap(image, (int) area.offset(), LuksHeader.SIZE).slice(), area.offset(),
        4096));
  }

  /** Random damage: parse and unlock either work or fail with an IOException, quickly. */
  @Test
  void randomDamageIsAnIOExceptionOrHarmless() throws IOException {
    Random r = new Random(0x1a5);
    byte[] pass = CryptoGolden.LUKS_PASSPHRASE.getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 120; round++) {
      byte[] damaged = image.clone();
      int flips = 1 + r.nextInt(4);
      for (int i = 0; i < flips; i++) {
        damaged[(int) area.offset() + r.nextInt(LuksHeader.SIZE)] ^= (byte) (1 << r.nextInt(8));
      }
      LuksHeader h;
      try {
        h = parse(damaged);
      } catch (IOException expected) {
        continue;
      }
      // Only unlock what cannot spend long in PBKDF2 (the golden uses a few thousand rounds).
      boolean cheap = h.mkDigestIterations() < 200_000 && h.slots().stream()
          .allMatch(s -> !s.active() || s.iterations() < 200_000);
      if (!cheap) {
        continue;
      }
      try {
        byte[] key = LuksUnlock.masterKey(h, new StructReader(
            new MemoryHostFile("damaged", damaged, false), damaged.length), pass, "damaged");
        assertEquals(h.keyBytes(), key.length);
      } catch (IOException expected) {
        // Refused: unsupported cipher, wrong key after damage.
      }
    }
  }

  @Test
  void recordsCopyTheirArrays() throws IOException {
    LuksHeader h = parse(image);
    byte[] digest = h.mkDigest();
    digest[0] ^= 1;
    assertFalse(Arrays.equals(digest, h.mkDigest()));
    assertArrayEquals(h.mkDigestSalt(), parse(image).mkDigestSalt());
    assertEquals(h, parse(image));
  }
}
