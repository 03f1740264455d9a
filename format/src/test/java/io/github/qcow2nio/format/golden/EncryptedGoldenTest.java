package io.github.qcow2nio.format.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.testing.CryptoGolden;
import io.github.qcow2nio.format.testing.DiskReads;
import io.github.qcow2nio.format.testing.MemoryLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The encrypted golden images qemu-img made read as qemu-img convert read them (SHA256SUMS), so
 * encrypted reading is tested where qemu-img is absent; the secret's handling with them.
 */
class EncryptedGoldenTest {
  private static MemoryLocation location(String name) {
    return location(name, CryptoGolden.bytes(name));
  }

  private static MemoryLocation location(String name, byte[] bytes) {
    Map<String, byte[]> dir = new HashMap<>();
    dir.put(name, bytes);
    return new MemoryLocation(dir, name);
  }

  private static byte[] read(Qcow2Image image) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) image.disk().size());
    assertEquals(all.capacity(), image.disk().read(all, 0));
    return all.array();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static OpenOptions withSecret(String secret) {
    return OpenOptions.builder().keySecret(secret.toCharArray()).build();
  }

  @Test
  void luksReadsAsQemuImgConvertReadIt() throws Exception {
    try (Qcow2Image image = Qcow2Image.open(location(CryptoGolden.LUKS),
        withSecret(CryptoGolden.LUKS_PASSPHRASE))) {
      byte[] disk = read(image);
      assertEquals(CryptoGolden.sums().get(CryptoGolden.LUKS), sha256(disk));
      // The fixture: data, a compressed cluster stored in the clear, a zero cluster.
      assertEquals(0x5a, disk[6 * 1024 - 1]);
      assertEquals(0, disk[6 * 1024]);
      assertEquals(0x77, disk[128 * 1024]);
      assertEquals(0x11, disk[200 * 1024 + 1023]);
      DiskReads.assertReadsLike(disk, image.disk(), "golden LUKS");
      DiskReads.assertParallelReadsLike(disk, image.disk(), "golden LUKS", 4);
    }
  }

  @Test
  void blockStatusGivesNoHostOffsetsAsQemuImgMapDoes() throws Exception {
    for (String name : new String[] {CryptoGolden.LUKS, CryptoGolden.AES}) {
      String pass = name.equals(CryptoGolden.LUKS) ? CryptoGolden.LUKS_PASSPHRASE
          : CryptoGolden.AES_PASSPHRASE;
      try (Qcow2Image image = Qcow2Image.open(location(name), withSecret(pass))) {
        int normal = 0;
        for (long at = 0; at < image.disk().size(); ) {
          Extent e = image.disk().blockStatus(at, image.disk().size() - at);
          assertFalse(e.hasHostOffset(), name + " " + e);
          normal += e.type() == ClusterType.NORMAL ? 1 : 0;
          at = e.end();
        }
        assertTrue(normal >= 2, name + ": the fixture's data runs");
      }
    }
  }

  @Test
  void legacyAesReadsAsQemuImgConvertReadIt() throws Exception {
    try (Qcow2Image image = Qcow2Image.open(location(CryptoGolden.AES),
        withSecret(CryptoGolden.AES_PASSPHRASE))) {
      byte[] disk = read(image);
      assertEquals(CryptoGolden.sums().get(CryptoGolden.AES), sha256(disk));
      DiskReads.assertReadsLike(disk, image.disk(), "golden AES");
    }
  }

  @Test
  void legacyAesKeysWithTheFirstSixteenBytesOnly() throws Exception {
    String expected = CryptoGolden.sums().get(CryptoGolden.AES);
    for (String pass : new String[] {"golden-aes-passp", "golden-aes-passpXYZ"}) {
      try (Qcow2Image image = Qcow2Image.open(location(CryptoGolden.AES), withSecret(pass))) {
        assertEquals(expected, sha256(read(image)), pass);
      }
    }
    // Fifteen bytes are zero-padded: another key, other bytes (AES cannot tell a wrong key).
    try (Qcow2Image image = Qcow2Image.open(location(CryptoGolden.AES),
        withSecret("golden-aes-pass"))) {
      assertNotEquals(expected, sha256(read(image)));
    }
  }

  @Test
  void aWrongPassphraseIsQemusError() {
    EncryptionKeyException e = assertThrows(EncryptionKeyException.class,
        () -> Qcow2Image.open(location(CryptoGolden.LUKS), withSecret("not-the-passphrase")));
    assertTrue(e.getMessage().endsWith("Invalid password, cannot unlock any keyslot"),
        e.getMessage());
    assertFalse(e.getMessage().contains("not-the-passphrase"));
  }

  @Test
  void aMissingPassphraseNamesWhereToGiveIt() {
    for (String name : new String[] {CryptoGolden.LUKS, CryptoGolden.AES}) {
      EncryptionKeyException e = assertThrows(EncryptionKeyException.class,
          () -> Qcow2Image.open(location(name), OpenOptions.readOnly()));
      assertTrue(e.getMessage().contains("keySecret"), e.getMessage());
      assertTrue(e.getMessage().contains("OpenOptions.builder().keySecret("), e.getMessage());
    }
  }

  @Test
  void legacyAesIsReadOnlyAndLuksIsWritable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws IOException {
    UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
        () -> Qcow2Image.open(location(CryptoGolden.AES), OpenOptions.builder().writable(true)
            .keySecret(CryptoGolden.AES_PASSPHRASE.getBytes(StandardCharsets.UTF_8)).build()));
    assertTrue(e.getMessage().contains("writing encrypted images is not supported"),
        e.getMessage());
    assertTrue(e.getMessage().contains("legacy AES"), e.getMessage());
    // qemu-img made this LUKS image; we write to it: a partial sector in place and a partial
    // cluster into an unallocated one, and read both back through the cipher.
    java.nio.file.Path loc = dir.resolve(CryptoGolden.LUKS);
    java.nio.file.Files.write(loc, CryptoGolden.bytes(CryptoGolden.LUKS));
    OpenOptions rw = OpenOptions.builder().writable(true)
        .keySecret(CryptoGolden.LUKS_PASSPHRASE.getBytes(StandardCharsets.UTF_8)).build();
    byte[] before = new byte[256 << 10];
    try (Qcow2Image image = Qcow2Image.open(loc, rw)) {
      image.disk().read(ByteBuffer.wrap(before), 0);
      byte[] b = "written through LUKS".getBytes(StandardCharsets.US_ASCII);
      image.disk().write(ByteBuffer.wrap(b), 3);
      image.disk().write(ByteBuffer.wrap(b), 250_000);
      System.arraycopy(b, 0, before, 3, b.length);
      System.arraycopy(b, 0, before, 250_000, b.length);
    }
    try (Qcow2Image image = Qcow2Image.open(loc, OpenOptions.builder()
        .keySecret(CryptoGolden.LUKS_PASSPHRASE.getBytes(StandardCharsets.UTF_8)).build())) {
      byte[] after = new byte[256 << 10];
      image.disk().read(ByteBuffer.wrap(after), 0);
      assertArrayEquals(before, after);
    }
  }

  @Test
  void theSecretAppearsInNoStringAndSuppliedArraysAreWiped() throws Exception {
    char[] mine = CryptoGolden.LUKS_PASSPHRASE.toCharArray();
    AtomicReference<byte[]> supplied = new AtomicReference<>();
    Supplier<byte[]> supplier = () -> {
      byte[] b = CryptoGolden.LUKS_PASSPHRASE.getBytes(StandardCharsets.UTF_8);
      supplied.set(b);
      return b;
    };
    OpenOptions fromChars = OpenOptions.builder().keySecret(mine).build();
    OpenOptions fromSupplier = OpenOptions.builder().keySecret(supplier).build();
    for (OpenOptions o : new OpenOptions[] {fromChars, fromSupplier}) {
      assertFalse(o.toString().contains(CryptoGolden.LUKS_PASSPHRASE), o.toString());
      assertFalse(o.keySecret().toString().contains(CryptoGolden.LUKS_PASSPHRASE));
      try (Qcow2Image image = Qcow2Image.open(location(CryptoGolden.LUKS), o)) {
        assertFalse(image.toString().contains(CryptoGolden.LUKS_PASSPHRASE));
        assertEquals(CryptoGolden.sums().get(CryptoGolden.LUKS), sha256(read(image)));
      }
    }
    assertArrayEquals(new byte[CryptoGolden.LUKS_PASSPHRASE.length()], supplied.get(),
        "the supplier's array is wiped once it has served");
    assertArrayEquals(CryptoGolden.LUKS_PASSPHRASE.toCharArray(), mine,
        "the caller's own array is the caller's to wipe (the options hold a copy)");
    KeySecret k = fromChars.keySecret();
    k.destroy();
    assertTrue(k.isDestroyed());
    EncryptionKeyException e = assertThrows(EncryptionKeyException.class,
        () -> Qcow2Image.open(location(CryptoGolden.LUKS), fromChars));
    assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> KeySecret.fromObject(Integer.valueOf(1234)));
    assertFalse(bad.getMessage().contains("1234"), bad.getMessage());
  }

  @Test
  void theEncryptionExtensionIsRequiredAndOnlyForLuks() throws Exception {
    byte[] luks = CryptoGolden.bytes(CryptoGolden.LUKS);
    // crypt_method 2 -> 1: an AES image with a LUKS extension.
    byte[] aesWithExtension = luks.clone();
    ByteBuffer.wrap(aesWithExtension).putInt(32, 1);
    CorruptImageException e = assertThrows(CorruptImageException.class, () -> Qcow2Image.open(
        location("x", aesWithExtension), withSecret("x")));
    assertTrue(e.getMessage().contains("only expected with LUKS"), e.getMessage());
    // The extension's type renamed to an unknown one: LUKS without its header.
    byte[] noExtension = luks.clone();
    ByteBuffer b = ByteBuffer.wrap(noExtension);
    int at = b.getInt(100);
    assertEquals(0x0537BE77, b.getInt(at), "fixture: the first extension is the FDE pointer");
    b.putInt(at, 0x7E57_0001);
    e = assertThrows(CorruptImageException.class, () -> Qcow2Image.open(
        location("x", noExtension), withSecret(CryptoGolden.LUKS_PASSPHRASE)));
    assertTrue(e.getMessage().contains("Missing CRYPTO header for crypt method 2"),
        e.getMessage());
  }
}
