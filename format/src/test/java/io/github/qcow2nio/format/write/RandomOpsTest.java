package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Seeded random operation sequences over the option matrix, each checked against a model while
 * it runs, then by qemu-img check (no errors, no leaks) and qemu-img compare (equal to the model).
 *
 * <p>{@code -Dqcow2.ops=N} sets the operations per configuration (default 2000);
 * {@code -Dqcow2.seed=S} the seed; {@code -Dqcow2.config=text} runs only the configurations
 * whose name contains the text. A soak run: {@code mvn -o -pl format test
 * -Dtest=RandomOpsTest -Dqcow2.ops=200000}.
 */
@Tag("qemu")
class RandomOpsTest {
  static final int OPS = Knobs.OPS;
  static final long SEED = Knobs.SEED;

  @TempDir Path dir;

  enum Backing { NONE, QCOW2, RAW }

  static Stream<Arguments> configs() {
    List<Arguments> a = new ArrayList<>();
    long mb = 1 << 20;
    CreateOptions d = CreateOptions.defaults(8 * mb);
    a.add(Arguments.of("v3 64k", d, Backing.NONE, false));
    a.add(Arguments.of("v2 64k", d.toBuilder().version(2).build(), Backing.NONE, false));
    a.add(Arguments.of("v3 512", CreateOptions.builder(2 * mb).clusterSize(512).build(),
        Backing.NONE, false));
    a.add(Arguments.of("v2 512", CreateOptions.builder(2 * mb).clusterSize(512)
        .version(2).build(), Backing.NONE, false));
    a.add(Arguments.of("v3 2M", CreateOptions.builder(24 * mb).clusterSize(2 << 20).build(),
        Backing.NONE, false));
    for (int bits : new int[] {1, 2, 4, 8, 32, 64}) {
      a.add(Arguments.of("refcount " + bits + " 512",
          CreateOptions.builder(3 * mb).clusterSize(512).refcountBits(bits).build(),
          Backing.NONE, false));
    }
    a.add(Arguments.of("refcount 64 4k", CreateOptions.builder(4 * mb).clusterSize(4096)
        .refcountBits(64).build(), Backing.NONE, false));
    a.add(Arguments.of("extended l2 64k", d.toBuilder().extendedL2(true).build(), Backing.NONE,
        false));
    a.add(Arguments.of("extended l2 16k", CreateOptions.builder(4 * mb).clusterSize(16384)
        .extendedL2(true).build(), Backing.NONE, false));
    a.add(Arguments.of("lazy refcounts", d.toBuilder().lazyRefcounts(true).build(), Backing.NONE,
        false));
    a.add(Arguments.of("zstd", d.toBuilder().compressionType(1).build(), Backing.NONE, false));
    a.add(Arguments.of("backing qcow2", d, Backing.QCOW2, false));
    a.add(Arguments.of("backing raw", d, Backing.RAW, false));
    a.add(Arguments.of("v2 backing qcow2", d.toBuilder().version(2).build(), Backing.QCOW2,
        false));
    a.add(Arguments.of("v3 4k backing qcow2", CreateOptions.builder(4 * mb)
        .clusterSize(4096).build(), Backing.QCOW2, false));
    a.add(Arguments.of("extended l2 backing raw", CreateOptions.builder(4 * mb)
        .clusterSize(32768).extendedL2(true).build(), Backing.RAW, false));
    a.add(Arguments.of("data file", CreateOptions.defaults(4 * mb), Backing.NONE, true));
    a.add(Arguments.of("data file backing", CreateOptions.defaults(4 * mb), Backing.QCOW2,
        true));
    a.add(Arguments.of("data file raw", CreateOptions.defaults(4 * mb), Backing.NONE, true));
    a.add(Arguments.of("data file extended l2", CreateOptions.builder(4 * mb)
        .extendedL2(true).build(), Backing.NONE, true));
    // LUKS: every write encrypted per host sector, partial sectors merged, COW re-encrypted.
    a.add(Arguments.of("luks 4k", CreateOptions.builder(4 * mb).clusterSize(4096)
        .encryption(FaultSweepTest.luks()).build(), Backing.NONE, false));
    a.add(Arguments.of("luks extended l2 backing qcow2", CreateOptions.builder(4 * mb)
        .clusterSize(32768).extendedL2(true).encryption(FaultSweepTest.luks()).build(),
        Backing.QCOW2, false));
    String only = System.getProperty("qcow2.config");
    return a.stream().filter(x -> only == null || ((String) x.get()[0]).contains(only));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void randomOperations(String name, CreateOptions options, Backing backing, boolean dataFile)
      throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("img.qcow2");
    long size = options.size();
    byte[] initial = new byte[(int) size];
    CreateOptions o = options;
    if (backing != Backing.NONE) {
      Path base = dir.resolve(backing == Backing.RAW ? "base.raw" : "base.qcow2");
      // The backing disk is a little shorter than the overlay: its end must read as zeros.
      long baseSize = size - 3 * 65536;
      if (backing == Backing.RAW) {
        byte[] b = new byte[(int) baseSize];
        new java.util.Random(SEED).nextBytes(b);
        Files.write(base, b);
      } else {
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", base.toString(),
            Long.toString(baseSize));
        Qemu.io(base, "write -P 0x11 0 " + baseSize, "write -P 0x22 300000 100000",
            "write -z 1000000 70000");
      }
      byte[] b = Qemu.rawContents(base, dir);
      if (backing == Backing.QCOW2) {
        Files.write(dir.resolve("base.check"), b);
      }
      System.arraycopy(b, 0, initial, 0, b.length);
      o = o.toBuilder().backingFile(base.getFileName().toString())
          .backingFormat(backing == Backing.RAW ? "raw" : "qcow2").build();
    }
    if (dataFile) {
      o = o.toBuilder().dataFile(dir.resolve("img.data").toString())
          .dataFileRaw(name.contains("raw")).build();
    }
    boolean resizable = !(dataFile && name.contains("raw"));
    int unit = o.extendedL2() ? o.clusterSize() / 32 : o.clusterSize();
    RandomOps ops = new RandomOps(SEED ^ name.hashCode(), initial, o.clusterSize(), unit,
        resizable, 2 * size);
    // Compressed writes (QEMU refuses them with a data file; 2 MiB clusters cost too much time).
    boolean encrypted = o.encryption() != null;
    // Compressed writes are refused on encrypted images (QEMU would store them unencrypted).
    ops.compressedWrites = !dataFile && !encrypted && o.clusterSize() <= 65536;
    if (!dataFile) {
      // Snapshots live in the image's own clusters: not with an external data file.
      ops.snapshots = new RandomSnapshots(o.version() == 2);
    }
    // One configuration pays for real forces; the others skip them (durability has its own tests).
    io.github.qcow2nio.format.io.ImageLocation loc = name.equals("v3 64k")
        ? new io.github.qcow2nio.format.io.PathLocation(img) : new NoSyncLocation(img);
    Qcow2Image image = Qcow2Image.create(loc, o, FaultSweep.readWrite());
    try {
      image = ops.run(image, () -> Qcow2Image.open(loc, FaultSweep.readWrite()), OPS);
    } finally {
      image.close();
    }
    System.out.println(name + ": " + ops.stats());
    if (ops.compressedWrites && OPS >= 500) {
      org.junit.jupiter.api.Assertions.assertTrue(ops.compressedClusters > 0,
          name + ": no cluster was stored compressed (" + ops.stats() + ")");
    }
    if (encrypted) {
      RandomOps.assertQemuAgreesEncrypted(img, ops.model, dir, name + " (" + ops.stats() + ")",
          FaultSweep.PASSPHRASE);
    } else {
      RandomOps.assertQemuAgrees(img, ops.model, dir, name + " (" + ops.stats() + ")");
    }
    if (ops.snapshots != null && !encrypted) {
      // (Encrypted snapshots are checked against the model by our reads as the run goes.)
      ops.snapshots.assertQemuAgrees(img, ops.model.length, dir, name);
    }
    // And reopened read-only, we read the same.
    try (Qcow2Image again = Qcow2Image.open(img, FaultSweep.readOnly())) {
      ops.check(again.disk(), 0, ops.model.length);
    }
  }
}
