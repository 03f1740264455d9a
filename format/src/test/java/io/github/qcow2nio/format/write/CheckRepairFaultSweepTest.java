package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Check;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Damage;
import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The repairs of {@code check -r} under the fault sweep's faults: at every host write, truncate
 * and force of a repair, in turn, an I/O error (possibly torn), an interrupt, a crash and a power
 * loss. Whatever happens, the guest data reads as before, {@code qemu-img check} finds no error
 * the damaged image did not already have (a repair only ever moves things to the truth), and a
 * repair run again afterwards leaves an image that both checks call clean.
 *
 * <p>The seeds cover the ways a repair writes: refcounts set in place (a count too low, under a
 * snapshot), COPIED flags rewritten, a whole new refcount structure (a referenced cluster with
 * refcount 0) and leaks freed ({@code -r leaks}). {@code -Dqcow2.faultSeeds=N}
 * re-runs each point with N random choices, as in {@link FaultSweepTest}.
 */
@Tag("qemu")
class CheckRepairFaultSweepTest {
  private static final String IMAGE = "img.qcow2";
  @TempDir static Path seedDir;
  @TempDir Path dir;

  static Stream<Arguments> sweeps() {
    List<Arguments> a = new ArrayList<>();
    for (Object[] s : new Object[][] {{Damage.REFCOUNT_LOW, Repair.ALL},
        {Damage.COPIED_L2, Repair.ALL}, {Damage.REFCOUNT_ZERO, Repair.ALL},
        {Damage.LEAK, Repair.LEAKS}}) {
      for (FaultyLocation.Mode m : FaultyLocation.Mode.values()) {
        a.add(Arguments.of(s[0], s[1], m));
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} -r {1}: {2}")
  @MethodSource("sweeps")
  void everyFaultPointOfARepair(Damage damage, Repair repair, FaultyLocation.Mode mode)
      throws IOException {
    Qemu.assumeAvailable();
    Path seed = seed(damage);
    byte[] damaged = Files.readAllBytes(seed);
    byte[] guest = guest(seed);
    QemuImg.Check before = QemuImg.check(seed);
    assertTrue(before.corruptions() + before.leaks() > 0, damage + " must be visible");
    FaultyLocation.Crash dry = new FaultyLocation.Crash();
    repair(damaged, dry, repair);
    long points = dry.points;
    System.out.println("check repair fault sweep " + damage + ", " + mode + ": " + points
        + " fault points");
    // At least a write and the force that makes it durable.
    assertTrue(points >= 2, damage + ": only " + points + " fault points");
    for (long p = 0; p < points; p++) {
      for (int s = 0; s < Knobs.FAULT_SEEDS; s++) {
        FaultyLocation.Crash crash = new FaultyLocation.Crash();
        crash.target = p;
        crash.mode = mode;
        crash.rnd = new Random((p * 4 + mode.ordinal()) * 1000 + s);
        String what = damage + " -r " + repair + ", " + mode + " at fault point " + p;
        byte[] after;
        try {
          after = repair(damaged, crash, repair);
        } finally {
          Thread.interrupted();
        }
        assertTrue(crash.fired, what + ": never reached");
        Path img = dir.resolve(IMAGE);
        Files.write(img, after);
        assertArrayEquals(guest, guest(img), what + ": the guest data changed");
        QemuImg.Check c = QemuImg.check(img);
        assertEquals(0, c.checkErrors(), what + "\n" + c.output());
        assertTrue(c.corruptions() <= before.corruptions(), what + ": more errors than before\n"
            + c.output());
        CheckResult again = Qcow2Check.check(img, CheckOptions.repair(Repair.ALL));
        assertEquals(0, again.corruptions() + again.leaks() + again.checkErrors(), what);
        assertTrue(Qcow2Check.check(img, CheckOptions.check()).isClean(), what);
      }
    }
  }

  /** Runs the repair on a copy of {@code image}; returns the file as the fault left it. */
  private byte[] repair(byte[] image, FaultyLocation.Crash crash, Repair repair)
      throws IOException {
    FaultyLocation loc = FaultyLocation.root(IMAGE, crash, dir);
    FaultyLocation.File file = FaultyLocation.File.of(crash, image);
    loc.files().put(IMAGE, file);
    try {
      Qcow2Check.check(loc, CheckOptions.builder().repair(repair).locking(false).build());
    } catch (FaultyLocation.Crashed crashed) {
      return crash.mode == FaultyLocation.Mode.POWER_LOSS ? file.afterPowerLoss(crash.rnd)
          : file.current.clone();
    } catch (IOException e) {
      FaultyLocation.requireInjected(e, "the repair");
    }
    return file.current.clone();
  }

  /** A small image with data, zeros, a compressed cluster and a snapshot, then damaged. */
  private static Path seed(Damage damage) throws IOException {
    Path img = seedDir.resolve(damage + ".qcow2");
    if (!Files.exists(img)) {
      Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", img.toString(), "1M");
      Qemu.io(img, "write -P 0x31 0 40k", "write -c -P 0x32 64k 4k", "write -z 100k 8k");
      Qemu.img("snapshot", "-c", "s1", img.toString());
      Qemu.io(img, "write -P 0x33 8k 8k", "write -P 0x34 200k 12k");
      damage.apply(img);
    }
    return img;
  }

  private static byte[] guest(Path img) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readOnly())) {
      byte[] b = new byte[(int) image.disk().size()];
      image.disk().read(ByteBuffer.wrap(b), 0);
      return b;
    }
  }
}
