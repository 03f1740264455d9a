package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.ops.Amend;
import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
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
 * Fault injection at every host write, truncate and force of {@code amend}'s refcount width
 * change and compat changes, on images qemu wrote (data, zero and preallocated zero clusters, a
 * snapshot; for a downgrade also over a backing file, and with persistent bitmaps): each point in turn gets an I/O error, an interrupt, a crash and a power loss. After
 * each, {@code qemu-img check} finds no errors (leaks allowed), the guest content is what it was,
 * and the snapshot too; a failed call (I/O error, interrupt) repeated then succeeds and leaves the
 * image as asked.
 */
@Tag("qemu")
class AmendFaultSweepTest {
  private static final String IMAGE = "img.qcow2";
  private static final String BASE = "base.qcow2";

  @TempDir static Path seedDir;
  @TempDir Path dir;

  /**
   * A workload: how the seed is made (over a backing file, with persistent bitmaps), and what
   * amend is asked.
   */
  private record Workload(String name, String create, int version, int refcountBits,
      AmendOptions.Builder options, boolean backing, boolean bitmaps) {
    Workload(String name, String create, int version, int refcountBits,
        AmendOptions.Builder options) {
      this(name, create, version, refcountBits, options, false, false);
    }
  }

  private static List<Workload> workloads() {
    Path p = Path.of(IMAGE);
    return List.of(
        new Workload("refcount width 16 to 2", "cluster_size=4096", 3, 2,
            AmendOptions.builder(p).refcountBits(2)),
        new Workload("compat 1.1 to 0.10", "cluster_size=4096", 2, 16,
            AmendOptions.builder(p).version(2)),
        new Workload("compat 0.10 to 1.1, refcount width 8", "cluster_size=4096,compat=0.10", 3,
            8, AmendOptions.builder(p).version(3).refcountBits(8)),
        // Zero clusters over a backing file in the active layer's tables, the snapshot's own
        // and the shared ones: new zero-filled clusters, counted once per table reference.
        new Workload("compat 1.1 to 0.10 over a backing file", "cluster_size=4096", 2, 16,
            AmendOptions.builder(p).version(2), true, false),
        // The bitmaps are dropped with the header switch and their clusters freed after it.
        new Workload("compat 1.1 to 0.10 with bitmaps", "cluster_size=4096", 2, 16,
            AmendOptions.builder(p).version(2), false, true));
  }

  static Stream<Arguments> sweeps() {
    List<Arguments> a = new ArrayList<>();
    for (Workload w : workloads()) {
      if (!w.name().contains(Knobs.FAULT_SCENARIO)) {
        continue;
      }
      for (FaultyLocation.Mode m : FaultyLocation.Mode.values()) {
        a.add(Arguments.of(w.name(), m));
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("sweeps")
  void everyFaultPoint(String name, FaultyLocation.Mode mode) throws IOException {
    Qemu.assumeAvailable();
    Workload w = workloads().stream().filter(x -> x.name().equals(name)).findFirst()
        .orElseThrow();
    Path seed = seed(w);
    if (w.backing()) {
      // The faulty location finds files it does not hold in the test's directory.
      Files.copy(seed.resolveSibling(BASE), dir.resolve(BASE),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    byte[] image = Files.readAllBytes(seed);
    byte[] contents = Qemu.rawContents(seed, seedDir);
    byte[] snapshot = snapshotRaw(seed);
    AmendOptions options = w.options().build();

    FaultyLocation.Crash count = new FaultyLocation.Crash();
    assertTrue(run(count, image, options).isEmpty(), name + ": failed without a fault");
    long points = count.points;
    assertTrue(points > 5, name + ": only " + points + " fault points");
    System.out.println("amend fault sweep " + name + ", " + mode + ": " + points + " points");
    for (long p = 0; p < points; p += Knobs.FAULT_STRIDE) {
      FaultyLocation.Crash crash = new FaultyLocation.Crash();
      crash.target = p;
      crash.mode = mode;
      crash.rnd = new Random(p * 4 + mode.ordinal());
      String what = name + ", " + mode + " at fault point " + p;
      List<String> outcome = run(crash, image, options);
      assertTrue(crash.fired, what + ": the fault point was never reached");
      Path img = dir.resolve(IMAGE);
      Files.write(img, mode == FaultyLocation.Mode.POWER_LOSS
          ? lastFile.afterPowerLoss(crash.rnd) : lastFile.current);
      QemuImg.Check c = QemuImg.check(img);
      if (!c.consistent(true)) {
        fail(what + ": qemu-img check exit " + c.exitCode() + "\n" + c.output());
      }
      // qemu-img check is the judge of consistency; the contents (made by qemu-io, read by
      // qemu-img convert from the seed) are read back here through the core, one qemu-img run
      // per point instead of three.
      try (Qcow2Image i = Qcow2Image.open(img)) {
        assertArrayEquals(contents, read(i.disk()), what + ": the guest content");
        assertArrayEquals(snapshot, read(i.snapshotDisk("s1")), what + ": the snapshot");
        if (outcome.contains("done")) {
          assertEquals(w.version(), i.header().version(), what);
          assertEquals(w.refcountBits(), i.header().refcountBits(), what);
        }
      }
    }
  }

  private FaultyLocation.File lastFile;

  private static byte[] read(io.github.qcow2nio.format.block.VirtualDisk d) throws IOException {
    byte[] b = new byte[(int) d.size()];
    d.read(java.nio.ByteBuffer.wrap(b), 0);
    return b;
  }

  /**
   * Runs amend over a faulty copy of the seed; a failed (not crashed) call is repeated, and must
   * then succeed. Returns "done" when the last call completed, "crashed" when the world stopped.
   */
  private List<String> run(FaultyLocation.Crash crash, byte[] image, AmendOptions options)
      throws IOException {
    FaultyLocation loc = FaultyLocation.root(IMAGE, crash, dir);
    lastFile = FaultyLocation.File.of(crash, image);
    loc.files().put(IMAGE, lastFile);
    List<String> out = new ArrayList<>();
    try {
      try {
        Amend.run(loc, options, ProgressListener.NONE);
        out.add("done");
        return crash.fired ? out : List.of();
      } catch (FaultyLocation.Crashed c) {
        throw c;
      } catch (IOException e) {
        FaultyLocation.requireInjected(e, "amend");
      } finally {
        Thread.interrupted();
      }
      Amend.run(loc, options, ProgressListener.NONE);
      out.add("done");
    } catch (FaultyLocation.Crashed c) {
      out.add("crashed");
    } finally {
      Thread.interrupted();
    }
    return out;
  }

  private static Path seed(Workload w) throws IOException {
    Path img = seedDir.resolve(w.name().replaceAll("[^a-z0-9]+", "-") + ".qcow2");
    if (!Files.exists(img)) {
      if (w.backing()) {
        Path base = seedDir.resolve(BASE);
        if (!Files.exists(base)) {
          Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "1M");
          Qemu.io(base, "write -P 0x17 0 1M");
        }
        Qemu.img("create", "-q", "-f", "qcow2", "-o", w.create(), "-b", BASE, "-F", "qcow2",
            img.toString(), "1M");
      } else {
        Qemu.img("create", "-q", "-f", "qcow2", "-o", w.create(), img.toString(), "1M");
      }
      if (w.bitmaps()) {
        Qemu.img("bitmap", "--add", img.toString(), "b1");
        Qemu.img("bitmap", "--add", "-g", "64k", img.toString(), "b2");
      }
      Qemu.io(img, "write -P 0x41 0 64k", "write -P 0x42 100k 100k");
      if (!w.create().contains("compat=0.10")) {
        Qemu.io(img, "write -z 300k 16k", "write -z 100k 8k");
      }
      Qemu.img("snapshot", "-c", "s1", img.toString());
      Qemu.io(img, "write -P 0x44 120k 4k", "write -P 0x45 600k 12k");
      if (!w.create().contains("compat=0.10")) {
        Qemu.io(img, "write -z 0 8k");
      }
    }
    return img;
  }

  private static byte[] snapshotRaw(Path img) throws IOException {
    Path raw = img.resolveSibling(img.getFileName() + ".s1.raw");
    Files.deleteIfExists(raw);
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=s1", img.toString(), raw.toString());
    return Files.readAllBytes(raw);
  }
}
