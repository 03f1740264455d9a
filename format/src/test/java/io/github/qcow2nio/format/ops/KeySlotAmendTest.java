package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.EncryptionInfo;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.KeySlotChange;
import io.github.qcow2nio.format.KeySlotChange.State;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.crypto.LuksKeySlots;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.testing.CryptoGolden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key slots added and removed on the LUKS golden image (made by qemu-img), without qemu-img:
 * what opens afterwards, what the header says, and each of qemu-img 7.2's refusals (its words,
 * nothing written). PBKDF2 runs at a fixed rate so the counts are known and the runs fast.
 */
class KeySlotAmendTest {
  /** 100,000 iterations a second: 10 ms gives QEMU's floor of 1000, 50 ms gives 5000. */
  private static final long RATE = 100_000;
  private static final String GOLD = CryptoGolden.LUKS_PASSPHRASE;

  @TempDir Path dir;
  private Path image;
  private final Map<KeySecret, String> secrets = new IdentityHashMap<>();

  @BeforeEach
  void unpackGolden() throws IOException {
    image = dir.resolve("luks.qcow2");
    Files.write(image, CryptoGolden.bytes(CryptoGolden.LUKS));
  }

  private KeySecret secret(String passphrase) {
    KeySecret k = KeySecret.of(passphrase);
    secrets.put(k, passphrase);
    return k;
  }

  private void amend(String key, KeySlotChange change) throws IOException {
    AmendOptions o = AmendOptions.builder(image).keySecret(secret(key)).keySlots(change).build();
    KeySlotAmend.run(new PathLocation(image), o,
        k -> secrets.get(k).getBytes(StandardCharsets.UTF_8),
        LuksKeySlots.fixedRate(RATE, new SecureRandom()), ProgressListener.NONE);
  }

  private KeySlotChange.Builder add(String passphrase) {
    return KeySlotChange.builder(State.ACTIVE).newSecret(secret(passphrase)).iterTimeMs(10);
  }

  private List<EncryptionInfo.KeySlot> slots() throws IOException {
    return ImageMetadata.read(new PathLocation(image), true).encryption().luks().slots();
  }

  private List<Boolean> active() throws IOException {
    return slots().stream().map(EncryptionInfo.KeySlot::active).toList();
  }

  /** The guest's SHA-256 read with {@code passphrase}, which must open the image. */
  private String guest(String passphrase) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(image, OpenOptions.builder()
        .keySecret(passphrase.toCharArray()).build())) {
      ByteBuffer b = ByteBuffer.allocate((int) img.disk().size());
      img.disk().read(b, 0);
      return HexFormat.of().formatHex(sha256(b.array()));
    }
  }

  private boolean opens(String passphrase) throws IOException {
    try {
      guest(passphrase);
      return true;
    } catch (EncryptionKeyException e) {
      return false;
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private String golden() {
    return CryptoGolden.sums().get(CryptoGolden.LUKS);
  }

  @Test
  void addedSlotOpensTheSameGuestAndTheOldOneStill() throws IOException {
    amend(GOLD, add("second").build());
    assertEquals(List.of(true, true, false, false, false, false, false, false), active());
    assertEquals(1000, slots().get(1).iters(), "10 ms at 100,000/s is below QEMU's floor");
    assertEquals(golden(), guest("second"));
    assertEquals(golden(), guest(GOLD));
    amend("second", add("third").keyslot(6).iterTimeMs(50).build());
    assertTrue(slots().get(6).active());
    assertEquals(5000, slots().get(6).iters());
    assertEquals(golden(), guest("third"));
    assertFalse(opens("fourth"));
  }

  @Test
  void iterTimeZeroGivesTheFloor() throws IOException {
    amend(GOLD, add("second").iterTimeMs(0).build());
    assertEquals(1000, slots().get(1).iters());
  }

  @Test
  void erasedSlotNoLongerOpensAndLooksAsQemuLeavesIt() throws IOException {
    amend(GOLD, add("second").build());
    byte[] before = Files.readAllBytes(image);
    amend(GOLD, KeySlotChange.erase(1));
    assertEquals(List.of(true, false, false, false, false, false, false, false), active());
    assertFalse(opens("second"));
    assertEquals(golden(), guest(GOLD));
    byte[] after = Files.readAllBytes(image);
    long area = CryptoGolden.luksArea(after).offset();
    ByteBuffer slot = ByteBuffer.wrap(after, (int) area + 208 + 48, 48);
    assertEquals(0x0000DEAD, slot.getInt());
    assertEquals(0, slot.getInt(), "iterations");
    byte[] salt = new byte[32];
    slot.get(salt);
    assertArrayEquals(new byte[32], salt);
    long material = area + slots().get(1).keyOffset();
    // The golden image is AES-128-CBC: a 16-byte key, times 4000 stripes of material.
    int length = 16 * 4000;
    assertFalse(java.util.Arrays.equals(before, (int) material, (int) material + length,
        after, (int) material, (int) material + length), "the material was overwritten");
  }

  @Test
  void erasesEverySlotHoldingTheOldPassphrase() throws IOException {
    amend(GOLD, add("twice").build());
    amend(GOLD, add("twice").keyslot(4).build());
    amend(GOLD, add("other").build());
    assertEquals(List.of(true, true, true, false, true, false, false, false), active());
    amend(GOLD, KeySlotChange.eraseMatching(secret("twice")));
    assertEquals(List.of(true, false, true, false, false, false, false, false), active());
    assertEquals(golden(), guest("other"));
    amend("other", KeySlotChange.builder(State.INACTIVE).keyslot(2)
        .oldSecret(secret("other")).build());
    assertEquals(List.of(true, false, false, false, false, false, false, false), active());
  }

  @Test
  void forceOverwritesAnActiveSlotAndErasesTheLast() throws IOException {
    amend(GOLD, add("new").keyslot(0).force(true).build());
    assertEquals(golden(), guest("new"));
    assertFalse(opens(GOLD));
    amend("new", KeySlotChange.builder(State.INACTIVE).keyslot(5).force(true).build());
    amend("new", KeySlotChange.builder(State.INACTIVE).keyslot(0).force(true).build());
    assertEquals(List.of(false, false, false, false, false, false, false, false), active());
    assertFalse(opens("new"));
  }

  @Test
  void fillsAllEightSlotsThenRefuses() throws IOException {
    for (int i = 1; i < 8; i++) {
      amend(GOLD, add("p" + i).build());
    }
    assertEquals(List.of(true, true, true, true, true, true, true, true), active());
    refused(GOLD, add("p8").build(), "Can't add a keyslot - all keyslots are in use");
    assertEquals(golden(), guest("p7"));
  }

  @Test
  void refusalsInQemuWordsWriteNothing() throws IOException {
    amend(GOLD, add("second").build());
    refused("wrong", add("x").build(),
        image + ": Invalid password, cannot unlock any keyslot");
    refused(GOLD, add("x").keyslot(1).build(),
        "Refusing to overwrite active keyslot 1 - please erase it first");
    refused(GOLD, add("x").keyslot(8).build(),
        "Invalid keyslot 8 specified, must be between 0 and 7");
    refused(GOLD, add("x").keyslot(-1).build(),
        "Invalid keyslot 4294967295 specified, must be between 0 and 7");
    refused(GOLD, KeySlotChange.builder(State.ACTIVE).keyslot(3).build(),
        "'new-secret' is required to activate a keyslot");
    refused(GOLD, add("x").oldSecret(secret(GOLD)).build(),
        "'old-secret' must not be given when activating keyslots");
    refused(GOLD, KeySlotChange.builder(State.INACTIVE).build(),
        "To erase keyslot(s), either explicit keyslot index or the password currently "
            + "contained in them must be given");
    refused(GOLD, KeySlotChange.erase(5), "Given keyslot 5 is already erased (inactive) ");
    refused(GOLD, KeySlotChange.erase(-1), "Invalid keyslot -1 specified, must be between 0 and 7");
    refused(GOLD, KeySlotChange.eraseMatching(secret("none")),
        "No keyslots match given (old) password for erase operation");
    refused(GOLD, KeySlotChange.builder(State.INACTIVE).keyslot(1).oldSecret(secret(GOLD))
        .build(), "Given keyslot 1 doesn't contain the given old password for erase operation");
    refused(GOLD, KeySlotChange.builder(State.INACTIVE).keyslot(1).newSecret(secret("x"))
        .build(), "'new-secret' must not be given when erasing keyslots");
    refused(GOLD, KeySlotChange.builder(State.INACTIVE).keyslot(1).iterTimeMs(0).build(),
        "'iter-time' must not be given when erasing keyslots");
    refused(GOLD, KeySlotChange.builder(null).keyslot(1).build(), "Parameter 'state' is missing");
    refused("wrong", KeySlotChange.builder(null).keyslot(1).build(),
        image + ": Invalid password, cannot unlock any keyslot");
    amend(GOLD, KeySlotChange.erase(1));
    refused(GOLD, KeySlotChange.erase(0), "Attempt to erase the only active keyslot 0 which "
        + "will erase all the data in the image irreversibly - refusing operation");
    refused(GOLD, KeySlotChange.eraseMatching(secret(GOLD)), "All the active keyslots match "
        + "the (old) password that was given and erasing them will erase all the data in the "
        + "image irreversibly - refusing operation");
    refused(GOLD, add("x").iterTimeMs(-5).build(), "PBKDF iterations 100000 too large to scale: "
        + "Numerical result out of range\nFailed to write to keyslot 1");
    refused(GOLD, add("x").iterTimeMs(100_000_000).build(), "PBKDF iterations 10000000000 "
        + "larger than 4294967295: Numerical result out of range\nFailed to write to keyslot 1");
  }

  private void refused(String key, KeySlotChange change, String message) throws IOException {
    byte[] before = Files.readAllBytes(image);
    IOException e = assertThrows(IOException.class, () -> amend(key, change));
    assertEquals(message, e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(image), "a refused call writes nothing");
  }

  @Test
  void otherOptionsPlainImagesAndMissingKeysAreRefused() throws IOException {
    AmendOptions both = AmendOptions.builder(image).keySecret(secret(GOLD))
        .keySlots(add("x").build()).lazyRefcounts(true).build();
    assertThrows(UnsupportedImageException.class, () -> KeySlotAmend.run(
        new PathLocation(image), both, k -> secrets.get(k).getBytes(StandardCharsets.UTF_8),
        LuksKeySlots.fixedRate(RATE, new SecureRandom()), ProgressListener.NONE));
    AmendOptions badWidth = AmendOptions.builder(image).keySecret(secret(GOLD))
        .keySlots(add("x").build()).refcountBits(3).build();
    byte[] before = Files.readAllBytes(image);
    IOException width = assertThrows(IOException.class, () -> KeySlotAmend.run(
        new PathLocation(image), badWidth, k -> secrets.get(k).getBytes(StandardCharsets.UTF_8),
        LuksKeySlots.fixedRate(RATE, new SecureRandom()), ProgressListener.NONE));
    assertEquals("Refcount width must be a power of two and may not exceed 64 bits",
        width.getMessage());
    assertArrayEquals(before, Files.readAllBytes(image));
    AmendOptions noKey = AmendOptions.builder(image).keySlots(add("x").build()).build();
    EncryptionKeyException k = assertThrows(EncryptionKeyException.class,
        () -> ImageOperations.amend(noKey));
    assertTrue(k.getMessage().contains("Parameter 'encrypt.key-secret' is required for cipher"));
    Path plain = dir.resolve("plain.qcow2");
    Qcow2Image.create(plain, CreateOptions.builder(1 << 20).build()).close();
    IOException e = assertThrows(IOException.class, () -> ImageOperations.amend(
        AmendOptions.builder(plain).keySlots(add("x").build()).build()));
    assertEquals("Can't amend encryption options - encryption not present", e.getMessage());
  }

  @Test
  void throughImageOperationsWithMeasuredIterations() throws IOException {
    ImageOperations.amend(AmendOptions.builder(image).keySecret(KeySecret.of(GOLD))
        .keySlots(KeySlotChange.builder(State.ACTIVE).newSecret(KeySecret.of("measured"))
            .iterTimeMs(10).build()).build());
    assertTrue(slots().get(1).active());
    assertTrue(slots().get(1).iters() >= 1000);
    assertEquals(golden(), guest("measured"));
    ImageOperations.amend(AmendOptions.builder(image).keySecret(KeySecret.of("measured"))
        .keySlots(KeySlotChange.eraseMatching(KeySecret.of("measured"))).build());
    assertFalse(opens("measured"));
    assertEquals(golden(), guest(GOLD));
  }

  @Test
  void secretsNeverShowInMessagesOrStrings() {
    KeySlotChange c = KeySlotChange.builder(State.ACTIVE).newSecret(KeySecret.of("s3cr3t-new"))
        .oldSecret(KeySecret.of("s3cr3t-old")).build();
    AmendOptions o = AmendOptions.builder(image).keySecret(KeySecret.of("s3cr3t-key"))
        .keySlots(c).build();
    assertFalse(o.toString().contains("s3cr3t"), o.toString());
    IOException e = assertThrows(IOException.class, () -> ImageOperations.amend(o));
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
  }
}
