package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.EncryptionInfo;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.KeySlotChange;
import io.github.qcow2nio.format.KeySlotChange.State;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.crypto.LuksKeySlots;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.ops.KeySlotAmend;
import io.github.qcow2nio.format.testing.CryptoGolden;
import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection at every host write and force of a key slot change (added to the first free
 * slot; erased by number; erased by the passphrase it holds) on the LUKS golden image: each point
 * in turn gets an I/O error (whole sectors of the write may land), an interrupt, a crash and a
 * power loss. After each, the passphrase of the slot the call does not touch still opens the
 * image and reads the same guest, and slot 1 opens with its passphrase whenever the header names
 * it (the added one once the header write landed; the erased one until it did); a failed call repeated then finishes the job (or is refused because the header already says it
 * was done); {@code qemu-img check} (when installed) finds the image clean.
 */
class KeySlotFaultSweepTest {
  private static final String IMAGE = "img.qcow2";
  private static final String GOLD = CryptoGolden.LUKS_PASSPHRASE;
  private static final String SECOND = "second pass";
  private static final String NEW = "new pass";

  @TempDir Path dir;
  private final Map<KeySecret, String> secrets = new IdentityHashMap<>();
  private FaultyLocation.File lastFile;

  private KeySecret secret(String s) {
    KeySecret k = KeySecret.of(s);
    secrets.put(k, s);
    return k;
  }

  /** A workload: the change, and whether it removes slot 1 (else it adds slot 1). */
  private record Workload(String name, KeySlotChange change, boolean erases) {}

  private List<Workload> workloads() {
    return List.of(
        new Workload("add", KeySlotChange.builder(State.ACTIVE).newSecret(secret(NEW))
            .iterTimeMs(10).build(), false),
        new Workload("erase slot 1", KeySlotChange.erase(1), true),
        new Workload("erase by passphrase", KeySlotChange.eraseMatching(secret(SECOND)), true));
  }

  static Stream<Arguments> sweeps() {
    List<Arguments> a = new ArrayList<>();
    for (String w : List.of("add", "erase slot 1", "erase by passphrase")) {
      if (!w.contains(Knobs.FAULT_SCENARIO)) {
        continue;
      }
      for (FaultyLocation.Mode m : FaultyLocation.Mode.values()) {
        a.add(Arguments.of(w, m));
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("sweeps")
  void everyFaultPoint(String name, FaultyLocation.Mode mode) throws IOException {
    Workload w = workloads().stream().filter(x -> x.name().equals(name)).findFirst()
        .orElseThrow();
    byte[] image = seed(w);
    String guest = CryptoGolden.sums().get(CryptoGolden.LUKS);

    FaultyLocation.Crash count = new FaultyLocation.Crash();
    assertTrue(run(count, image, w).isEmpty(), name + ": failed without a fault");
    long points = count.points;
    assertTrue(points >= 4, name + ": only " + points + " fault points");
    for (long p = 0; p < points; p += Knobs.FAULT_STRIDE) {
      FaultyLocation.Crash crash = new FaultyLocation.Crash();
      crash.target = p;
      crash.mode = mode;
      crash.rnd = new Random(p * 4 + mode.ordinal());
      String what = name + ", " + mode + " at fault point " + p;
      List<String> outcome = run(crash, image, w);
      assertTrue(crash.fired, what + ": the fault point was never reached");
      Path img = dir.resolve(IMAGE);
      Files.write(img, mode == FaultyLocation.Mode.POWER_LOSS
          ? lastFile.afterPowerLoss(crash.rnd) : lastFile.current);
      boolean slot1 = slots(img).get(1).active();
      assertEquals(guest, guestSum(img, GOLD), what + ": the untouched slot no longer opens");
      if (slot1) {
        // A header that names slot 1 names whole material: written before (add), or not yet
        // wiped (erase, which drops the slot from the header first).
        assertEquals(guest, guestSum(img, w.erases() ? SECOND : NEW),
            what + ": the slot the header names does not open");
      }
      if (outcome.contains("done")) {
        assertEquals(!w.erases(), slot1, what + ": slot 1 after the call");
        if (w.erases()) {
          assertFalse(opens(img, SECOND), what + ": the erased passphrase still opens");
        }
      }
      if (Qemu.available()) {
        QemuImg.Check c = QemuImg.checkEncrypted(img, GOLD);
        if (!c.consistent(false)) {
          fail(what + ": qemu-img check exit " + c.exitCode() + "\n" + c.output());
        }
      }
    }
  }

  /** The golden image; for the erase workloads with slot 1 holding {@link #SECOND}. */
  private byte[] seed(Workload w) throws IOException {
    Path img = dir.resolve("seed.qcow2");
    Files.write(img, CryptoGolden.bytes(CryptoGolden.LUKS));
    if (w.erases()) {
      KeySlotAmend.run(new PathLocation(img), AmendOptions.builder(img).keySecret(secret(GOLD))
          .keySlots(KeySlotChange.builder(State.ACTIVE).newSecret(secret(SECOND))
              .iterTimeMs(10).build()).build(), this::bytes, slotMaker(), ProgressListener.NONE);
      assertTrue(slots(img).get(1).active());
    }
    return Files.readAllBytes(img);
  }

  private byte[] bytes(KeySecret k) {
    return secrets.get(k).getBytes(StandardCharsets.UTF_8);
  }

  /** 1000 iterations for 10 ms: QEMU's floor, and fast. */
  private static LuksKeySlots slotMaker() {
    return LuksKeySlots.fixedRate(100_000, new SecureRandom());
  }

  /**
   * Runs the change over a faulty copy of the seed; a failed (not crashed) call is repeated, and
   * must then succeed, or be refused because the header already says the erase was done.
   */
  private List<String> run(FaultyLocation.Crash crash, byte[] image, Workload w)
      throws IOException {
    FaultyLocation loc = FaultyLocation.root(IMAGE, crash, dir);
    lastFile = FaultyLocation.File.of(crash, image);
    loc.files().put(IMAGE, lastFile);
    AmendOptions o = AmendOptions.builder(Path.of(IMAGE)).keySecret(secret(GOLD))
        .keySlots(w.change()).build();
    List<String> out = new ArrayList<>();
    try {
      try {
        KeySlotAmend.run(loc, o, this::bytes, slotMaker(), ProgressListener.NONE);
        out.add("done");
        return crash.fired ? out : List.of();
      } catch (FaultyLocation.Crashed c) {
        throw c;
      } catch (IOException e) {
        FaultyLocation.requireInjected(e, "the key slot change");
      } finally {
        Thread.interrupted();
      }
      try {
        KeySlotAmend.run(loc, o, this::bytes, slotMaker(), ProgressListener.NONE);
      } catch (IOException e) {
        String m = String.valueOf(e.getMessage());
        if (!w.erases() || !(m.equals("Given keyslot 1 is already erased (inactive) ")
            || m.equals("No keyslots match given (old) password for erase operation"))) {
          throw e;
        }
      }
      out.add("done");
    } catch (FaultyLocation.Crashed c) {
      out.add("crashed");
    } finally {
      Thread.interrupted();
    }
    return out;
  }

  private static List<EncryptionInfo.KeySlot> slots(Path img) throws IOException {
    return ImageMetadata.read(new PathLocation(img), true).encryption().luks().slots();
  }

  private static String guestSum(Path img, String passphrase) throws IOException {
    try (Qcow2Image i = Qcow2Image.open(img, OpenOptions.builder()
        .keySecret(passphrase.toCharArray()).build())) {
      byte[] b = new byte[(int) i.disk().size()];
      i.disk().read(ByteBuffer.wrap(b), 0);
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean opens(Path img, String passphrase) throws IOException {
    try {
      guestSum(img, passphrase);
      return true;
    } catch (EncryptionKeyException e) {
      return false;
    }
  }
}
