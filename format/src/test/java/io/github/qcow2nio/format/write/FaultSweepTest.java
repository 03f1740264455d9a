package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import static io.github.qcow2nio.format.write.FaultStep.compressed;
import static io.github.qcow2nio.format.write.FaultStep.discard;
import static io.github.qcow2nio.format.write.FaultStep.flush;
import static io.github.qcow2nio.format.write.FaultStep.resize;
import static io.github.qcow2nio.format.write.FaultStep.write;
import static io.github.qcow2nio.format.write.FaultStep.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.BitmapOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Fault injection at every host write, truncate and force of small workloads that between them
 * create, write (allocating, in place, copy-on-write from backing files, snapshots and compressed
 * clusters, subclusters), zero, discard, flush, grow (L1 table growth), grow the refcount table,
 * shrink, repair a dirty image, keep persistent bitmaps and create, revert, rename and delete
 * internal snapshots ({@link SnapshotSteps}): each point in turn gets an I/O error,
 * an interrupt, a crash and a power loss ({@link FaultSweep} says what must hold after each).
 *
 * <p>{@code -Dqcow2.faultSeeds=N} runs each point N times with other random choices (how much of
 * a torn write lands, whether an interrupted write landed, which unforced writes a power loss
 * keeps; default 1); {@code -Dqcow2.faultStride=N} tries every Nth point only (default 1);
 * {@code -Dqcow2.faultScenario=text} only the workloads whose name contains it, {@code
 * -Dqcow2.faultPoint=N} only point N, and {@code -Dqcow2.faultTrace=true} prints where the
 * fault struck (for debugging one point).
 */
@Tag("qemu")
class FaultSweepTest {
  static final int STRIDE = Knobs.FAULT_STRIDE;
  static final int SEEDS = Knobs.FAULT_SEEDS;

  @TempDir static Path seedDir;
  @TempDir Path dir;

  static Stream<Arguments> sweeps() throws IOException {
    List<Arguments> a = new ArrayList<>();
    for (String s : List.of("create and grow", "refcount table growth", "extended L2 over backing",
        "v2", "lazy refcounts repair", "data file", "qemu snapshot", "qemu bitmaps",
        "compressed writes", "snapshot operations", "snapshot operations v2 512",
        "bitmap operations", "bitmap operations beside a backing file", "luks",
        "luks extended L2 over backing")) {
      if (!s.contains(Knobs.FAULT_SCENARIO)) {
        continue;
      }
      for (FaultyLocation.Mode m : FaultyLocation.Mode.values()) {
        a.add(Arguments.of(s, m));
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("sweeps")
  void everyFaultPoint(String name, FaultyLocation.Mode mode) throws IOException {
    Qemu.assumeAvailable();
    FaultSweep sweep = new FaultSweep(scenario(name, seedDir), dir);
    long points = sweep.countPoints();
    assertTrue(points > 10, name + ": only " + points + " fault points");
    System.out.println("fault sweep " + name + ", " + mode + ": " + points + " fault points");
    long only = Knobs.FAULT_POINT;
    for (long p = 0; p < points; p += STRIDE) {
      if (only < 0 || p == only) {
        for (int seed = 0; seed < SEEDS; seed++) {
          sweep.runAt(p, mode, seed);
        }
      }
    }
  }

  static FaultSweep.Scenario scenario(String name, Path seeds) throws IOException {
    return switch (name) {
      case "create and grow" -> created(name, CreateOptions.builder(256 << 10)
          .clusterSize(512).refcountBits(64).build(), List.of(
              write(0, 20 << 10, 1), write(100 * 1024 + 77, 3000, 2), flush(),
              zeros(8 << 10, 8 << 10), discard(16 << 10, 4 << 10), write(5000, 1000, 3),
              resize(4 << 20), write(3 << 20, 16 << 10, 4), flush(),
              resize(128 << 10), resize(256 << 10), write(200 << 10, 2048, 5)));
      case "v2" -> created(name, CreateOptions.builder(512 << 10).version(2)
          .clusterSize(4096).build(), List.of(
              write(0, 12 << 10, 6), write(40000, 5000, 7), flush(), zeros(4096, 8192),
              discard(0, 4096), write(1000, 100, 8), resize(2 << 20), write(1 << 20, 9000, 9),
              flush(), resize(256 << 10), resize(512 << 10), write(300 << 10, 5000, 10)));
      case "data file" -> created(name, CreateOptions.builder(512 << 10)
          .clusterSize(4096).dataFile(seeds.resolve("img.data").toString()).build(),
          List.of(
              write(0, 12 << 10, 11), write(40000, 5000, 12), flush(), zeros(4096, 8192),
              discard(16 << 10, 8192), write(1000, 100, 13), resize(2 << 20),
              write(1 << 20, 9000, 14), flush(), resize(256 << 10), write(200 << 10, 5000, 15)));
      case "extended L2 over backing" -> overBacking(name, seeds);
      // Encrypted data: partial sectors merged, fresh clusters written whole, COW re-encrypted.
      case "luks" -> created(name, CreateOptions.builder(512 << 10).clusterSize(4096)
          .encryption(luks()).build(), List.of(
              write(0, 12 << 10, 71), write(40000 + 3, 5000, 72), flush(), zeros(4096 + 7, 8192),
              discard(0, 4096), write(1000, 100, 73), resize(2 << 20), write(1 << 20, 9000, 74),
              flush(), resize(256 << 10), resize(512 << 10), write(300 << 10, 5000, 75)));
      case "luks extended L2 over backing" -> {
        FaultSweep.Scenario b = overBacking(name, seeds);
        yield new FaultSweep.Scenario(name, b.seedFiles(), b.create().toBuilder()
            .encryption(luks()).build(), b.initialContents(), b.steps(), null);
      }
      case "refcount table growth" -> fromQemu(seeds, name,
          "cluster_size=512,refcount_bits=64", 4 << 20,
          new String[] {"write -P 0x11 0 1900k"}, List.of(
              write(1900 << 10, 160 << 10, 16), flush(), write(100, 3000, 17),
              write(3 << 20, 4096, 18)), null);
      case "lazy refcounts repair" -> fromQemu(seeds, name, "cluster_size=4096,lazy_refcounts=on",
          1 << 20, new String[] {"write -P 0x22 0 64k", "write -P 0x23 200k 40k"}, List.of(
              write(8 << 10, 10000, 19), flush(), write(300 << 10, 8192, 20)), null);
      case "qemu snapshot" -> snapshotScenario(name, seeds);
      // Packing across host clusters, 2-bit refcounts (at most 3 streams per host cluster),
      // copy-on-write, zeroing and discarding of compressed clusters, packing after a free.
      case "compressed writes" -> created(name, CreateOptions.defaults(256 << 10)
          .toBuilder().clusterSize(4096).refcountBits(2).build(), List.of(
              compressed(0, 40 << 10, 30, true), write(4096 + 100, 500, 31),
              compressed(64 << 10, 24 << 10, 32, false), zeros(8192, 4096),
              discard(12 << 10, 8 << 10), flush(), compressed(8192, 16 << 10, 33, false),
              write(70 << 10, 9000, 34), compressed(200 << 10, 5000, 35, true)));
      case "qemu bitmaps" -> bitmapScenario(name, seeds);
      case "snapshot operations" -> snapshotOperations(name, seeds);
      case "snapshot operations v2 512" -> snapshotOperationsCreated(name);
      case "bitmap operations" -> bitmapOperations(name, seeds);
      case "bitmap operations beside a backing file" -> bitmapOperationsOverBacking(name, seeds);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** LUKS with qemu-img's defaults but for PBKDF2, cut to its minimum to keep sweeps fast. */
  static io.github.qcow2nio.format.EncryptionOptions luks() {
    return io.github.qcow2nio.format.EncryptionOptions.builder(
        io.github.qcow2nio.format.KeySecret.of(FaultSweep.PASSPHRASE.toCharArray()))
        .forceIterations(1000).build();
  }

  private static FaultSweep.Scenario created(String name, CreateOptions o, List<FaultStep> steps) {
    return new FaultSweep.Scenario(name, Map.of(), o, new byte[(int) o.size()], steps, null);
  }

  private static FaultSweep.Scenario overBacking(String name, Path seeds) throws IOException {
    Path base = seeds.resolve("base.raw");
    if (!Files.exists(base)) {
      byte[] b = new byte[1 << 20];
      new java.util.Random(99).nextBytes(b);
      Files.write(base, b);
    }
    CreateOptions o = CreateOptions.builder(1 << 20).clusterSize(16384)
        .extendedL2(true).backingFile(base.toString()).backingFormat("raw").build();
    return new FaultSweep.Scenario(name, Map.of(), o, Files.readAllBytes(base), List.of(
        write(1000, 700, 21), write(32 << 10, 16 << 10, 22), zeros(40 << 10, 8 << 10),
        discard(64 << 10, 16 << 10), flush(), write(900 << 10, 3000, 23), resize(512 << 10),
        resize(1 << 20), write(700 << 10, 1500, 24)), null);
  }

  /** A seed image made by qemu-img and qemu-io; lazy-refcount seeds are left dirty. */
  private static FaultSweep.Scenario fromQemu(Path seeds, String name, String options, long size,
      String[] io, List<FaultStep> steps, FaultSweep.Check check) throws IOException {
    Path img = seeds.resolve(name.replace(' ', '-') + ".qcow2");
    if (!Files.exists(img)) {
      Qemu.img("create", "-q", "-f", "qcow2", "-o", options, img.toString(), Long.toString(size));
      if (options.contains("lazy_refcounts=on")) {
        Qemu.ioThenCrash(img, io);
      } else {
        Qemu.io(img, io);
      }
    }
    return new FaultSweep.Scenario(name, Map.of(FaultSweep.IMAGE, Files.readAllBytes(img)), null,
        Qemu.rawContents(img, seeds), steps, check);
  }

  private static FaultSweep.Scenario snapshotScenario(String name, Path seeds) throws IOException {
    Path img = seeds.resolve("qemu-snapshot.qcow2");
    FaultSweep.Scenario s = fromQemu(seeds, name, "cluster_size=4096", 1 << 20, new String[] {
        "write -c -P 0x41 0 64k", "write -P 0x42 100k 100k", "write -z 300k 16k"}, List.of(
            write(4096 + 100, 500, 25), write(110 << 10, 8192, 26), zeros(150 << 10, 8192),
            discard(180 << 10, 8192), flush(), write(20 << 10, 4096, 27)), null);
    if (!snapshotTaken(img)) {
      Qemu.img("snapshot", "-c", "s1", img.toString());
      Qemu.io(img, "write -P 0x44 120k 4k");
    }
    byte[] snapshot = snapshotRaw(img, seeds);
    return new FaultSweep.Scenario(name, Map.of(FaultSweep.IMAGE, Files.readAllBytes(img)), null,
        Qemu.rawContents(img, seeds), s.steps(), (image, what) -> {
          try (Qcow2Image i = Qcow2Image.open(image)) {
            byte[] b = new byte[snapshot.length];
            i.snapshotDisk("s1").read(ByteBuffer.wrap(b), 0);
            assertArrayEquals(snapshot, b, what + ": the snapshot changed");
          }
        });
  }

  /**
   * Our create, revert, rename and delete of snapshots on an image qemu wrote (compressed and
   * zero clusters, a snapshot of its own), between writes.
   */
  private static FaultSweep.Scenario snapshotOperations(String name, Path seeds)
      throws IOException {
    Path img = seeds.resolve("snapshot-operations.qcow2");
    if (!Files.exists(img)) {
      Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", img.toString(), "256K");
      Qemu.io(img, "write -c -P 0x41 0 32k", "write -P 0x42 64k 40k", "write -z 120k 8k");
      Qemu.img("snapshot", "-c", "q1", img.toString());
      Qemu.io(img, "write -P 0x43 70k 4k");
    }
    Path raw = seeds.resolve("q1.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=q1", img.toString(), raw.toString());
    return new FaultSweep.Scenario(name, Map.of(FaultSweep.IMAGE, Files.readAllBytes(img)), null,
        Qemu.rawContents(img, seeds), List.of(
            SnapshotSteps.known(Map.of("q1", Files.readAllBytes(raw))),
            write(5000, 3000, 31), SnapshotSteps.create("s1"), write(60 << 10, 9000, 32),
            zeros(128 << 10, 8192), SnapshotSteps.apply("q1"), write(1000, 2000, 33),
            SnapshotSteps.rename("s1", "t1"), SnapshotSteps.delete("q1"),
            write(100 << 10, 5000, 34), flush(), SnapshotSteps.create("s2"),
            SnapshotSteps.delete("t1"), write(200 << 10, 4096, 35)), null);
  }

  /** The same on an image we create: version 2, 512-byte clusters, several L2 tables. */
  private static FaultSweep.Scenario snapshotOperationsCreated(String name) {
    CreateOptions o = CreateOptions.builder(96 << 10).version(2).clusterSize(512).build();
    return created(name, o, List.of(SnapshotSteps.known(Map.of()),
        write(0, 6000, 41), write(70 << 10, 3000, 42), SnapshotSteps.create("a"),
        write(1000, 4000, 43), discard(69 << 10, 2048), SnapshotSteps.create("b"),
        SnapshotSteps.apply("a"), write(30 << 10, 1500, 44), SnapshotSteps.delete("a"),
        SnapshotSteps.delete("b"), write(2000, 700, 45)));
  }

  private static boolean snapshotTaken(Path img) throws IOException {
    return Qemu.img("snapshot", "-l", img.toString()).contains("s1");
  }

  private static byte[] snapshotRaw(Path img, Path seeds) throws IOException {
    Path raw = seeds.resolve("snap.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=s1", img.toString(), raw.toString());
    return Files.readAllBytes(raw);
  }

  private static FaultSweep.Scenario bitmapScenario(String name, Path seeds) throws IOException {
    Path img = seeds.resolve("bitmaps.qcow2");
    if (!Files.exists(img)) {
      Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", img.toString(), "1M");
      Qemu.img("bitmap", "--add", "-g", "4096", img.toString(), "on");
      Qemu.img("bitmap", "--add", "-g", "65536", img.toString(), "off");
      Qemu.io(img, "write -P 0x42 300k 100k");
      Qemu.img("bitmap", "--disable", img.toString(), "off");
    }
    return new FaultSweep.Scenario(name, Map.of(FaultSweep.IMAGE, Files.readAllBytes(img)), null,
        Qemu.rawContents(img, seeds), List.of(write(0, 8192, 28), zeros(64 << 10, 4096), flush(),
            resize(2 << 20), write(1500 << 10, 4096, 29), resize(1 << 20)), null);
  }


  /**
   * Our add, merge, clear, disable, enable and remove of bitmaps on an image qemu wrote with
   * bitmaps of its own, between writes the enabled ones record: every directory switch, the
   * last bitmap's removal (the extension goes) and the first one's addition (it comes back).
   */
  private static FaultSweep.Scenario bitmapOperations(String name, Path seeds)
      throws IOException {
    Path img = seeds.resolve("bitmap-operations.qcow2");
    if (!Files.exists(img)) {
      Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", img.toString(), "1M");
      Qemu.img("bitmap", "--add", "-g", "4096", img.toString(), "q1");
      Qemu.io(img, "write -P 0x42 300k 100k");
    }
    return new FaultSweep.Scenario(name, Map.of(FaultSweep.IMAGE, Files.readAllBytes(img)), null,
        Qemu.rawContents(img, seeds), List.of(
            BitmapSteps.add("a", 512, true), write(0, 8192, 51),
            BitmapSteps.edit("merge", BitmapOptions.builder("a").merge("q1").build()),
            BitmapSteps.edit("clear", BitmapOptions.builder("q1").clear().disable().build()),
            write(600 << 10, 5000, 52), BitmapSteps.remove("q1"), BitmapSteps.remove("a"),
            write(700 << 10, 4096, 53), BitmapSteps.add("b", 65536, true),
            write(100 << 10, 4096, 54), BitmapSteps.edit("enable",
                BitmapOptions.builder("b").disable().enable().build())), null);
  }

  /** The first bitmap on an image whose backing file name sits where the extension goes. */
  private static FaultSweep.Scenario bitmapOperationsOverBacking(String name, Path seeds)
      throws IOException {
    Path base = seeds.resolve("bm-base.raw");
    Path img = seeds.resolve("bm-top.qcow2");
    if (!Files.exists(img)) {
      byte[] b = new byte[256 << 10];
      new java.util.Random(98).nextBytes(b);
      Files.write(base, b);
      Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", "-b", base.toString(),
          "-F", "raw", img.toString());
    }
    return new FaultSweep.Scenario(name, Map.of(FaultSweep.IMAGE, Files.readAllBytes(img)), null,
        Qemu.rawContents(img, seeds), List.of(
            write(1000, 3000, 61), BitmapSteps.add("x", 4096, true), write(100 << 10, 5000, 62),
            BitmapSteps.remove("x")), null);
  }
}
