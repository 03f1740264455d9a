package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Check;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.testing.Damage;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Qcow2Check} against {@code qemu-img check}, field by field, with the same messages and
 * the same exit status: on images qemu-img and qemu-io made and on images this library made, over
 * the option matrix; and on damaged copies of them, checked, repaired with {@code -r leaks} and
 * {@code -r all} by both (each repair reports what the other's does, and each tool's check of the
 * other's repaired image agrees with its own).
 */
@Tag("qemu")
class CheckInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  @TempDir Path work;

  /** Images made by qemu: name, then qemu-img create options ("" none), then qemu-io commands. */
  private static final Map<String, String[]> QEMU = new LinkedHashMap<>();

  static {
    String data = "write -P 1 0 200k;write -c -P 2 1M 64k;write -z 2M 64k;write -P 3 3M 4k";
    String plain = "write -P 1 0 200k;write -z 2M 64k;write -P 3 3M 4k";
    QEMU.put("default", new String[] {"", data});
    QEMU.put("v2", new String[] {"compat=0.10", plain});
    QEMU.put("c512-rb1", new String[] {"cluster_size=512,refcount_bits=1", plain});
    QEMU.put("c4k-rb2", new String[] {"cluster_size=4096,refcount_bits=2",
        plain + ";write -c -P 2 1M 4k"});
    QEMU.put("rb8", new String[] {"refcount_bits=8", data});
    QEMU.put("rb32", new String[] {"refcount_bits=32", data});
    QEMU.put("c2m-rb64", new String[] {"cluster_size=2M,refcount_bits=64",
        plain + ";write -c -P 2 4M 2M"});
    QEMU.put("extl2", new String[] {"extended_l2=on,cluster_size=16k",
        plain + ";write -c -P 2 1M 16k;write -P 4 5M 2k;write -z 5M 1k"});
    QEMU.put("zstd", new String[] {"compression_type=zstd", data});
    QEMU.put("datafile", new String[] {"data_file=datafile.bin", plain});
    QEMU.put("lazy", new String[] {"lazy_refcounts=on", data});
  }

  @BeforeAll
  static void makeImages() throws IOException {
    if (!Qemu.available()) {
      return;
    }
    for (Map.Entry<String, String[]> e : QEMU.entrySet()) {
      Path img = dir.resolve(e.getKey() + ".qcow2");
      List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
      if (!e.getValue()[0].isEmpty()) {
        cmd.addAll(List.of("-o", e.getValue()[0].replace("datafile.bin",
            dir.resolve("datafile.bin").toString())));
      }
      cmd.addAll(List.of(img.toString(), "8M"));
      Qemu.ok(cmd.toArray(String[]::new));
      Qemu.io(img, e.getValue()[1].split(";"));
    }
    Path snap = dir.resolve("snapshots.qcow2");
    Files.copy(dir.resolve("c4k-rb2.qcow2"), snap);
    Qemu.img("amend", "-o", "refcount_bits=16", snap.toString());
    Qemu.img("snapshot", "-c", "s1", snap.toString());
    Qemu.io(snap, "write -P 9 0 8k");
    Qemu.img("snapshot", "-c", "s2", snap.toString());
    Path extSnap = dir.resolve("extl2-snapshot.qcow2");
    Files.copy(dir.resolve("extl2.qcow2"), extSnap);
    Qemu.img("snapshot", "-c", "s1", extSnap.toString());
    Qemu.io(extSnap, "write -P 9 4k 4k");
    Path bitmaps = dir.resolve("bitmaps.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", bitmaps.toString(), "8M");
    Qemu.img("bitmap", "--add", bitmaps.toString(), "b1");
    Qemu.img("bitmap", "--add", "-g", "128k", bitmaps.toString(), "b2");
    Qemu.io(bitmaps, "write -P 5 0 1M");
    Qemu.img("bitmap", "--disable", bitmaps.toString(), "b2");
    Path base = dir.resolve("base.raw");
    Files.write(base, new byte[8 << 20]);
    Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
        dir.resolve("overlay.qcow2").toString());
    Qemu.io(dir.resolve("overlay.qcow2"), "write -P 6 64k 100k");
    Path dirty = dir.resolve("dirty.qcow2");
    Files.copy(dir.resolve("lazy.qcow2"), dirty);
    Qemu.ioThenCrash(dirty, "write -P 7 5M 64k");
  }

  static Stream<String> qemuImages() {
    List<String> names = new ArrayList<>(QEMU.keySet());
    names.addAll(List.of("snapshots", "extl2-snapshot", "bitmaps", "overlay", "dirty"));
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("qemuImages")
  void qemuImagesCheckAsQemuImgChecksThem(String name) throws IOException {
    Qemu.assumeAvailable();
    Path img = copy(name);
    assertSame(qemu(img, Repair.NONE), ours(img, Repair.NONE), name);
  }

  static Stream<Arguments> ourImages() {
    return Stream.of(
        Arguments.of("v2", CreateOptions.builder(4 << 20).version(2).clusterSize(4096).build()),
        Arguments.of("c512-rb1", CreateOptions.builder(2 << 20).clusterSize(512)
            .refcountBits(1).build()),
        Arguments.of("rb4", CreateOptions.builder(4 << 20).refcountBits(4).build()),
        Arguments.of("c2m-rb64", CreateOptions.builder(8 << 20).clusterSize(2 << 20)
            .refcountBits(64).build()),
        Arguments.of("extl2", CreateOptions.builder(4 << 20).extendedL2(true).build()),
        Arguments.of("zstd", CreateOptions.builder(4 << 20).compressionType(1).build()),
        Arguments.of("lazy", CreateOptions.builder(4 << 20).lazyRefcounts(true).build()),
        Arguments.of("datafile", CreateOptions.builder(4 << 20).dataFile("ours-data.bin")
            .build()),
        Arguments.of("backing", CreateOptions.builder(8 << 20).backingFile("base.raw")
            .backingFormat("raw").build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ourImages")
  void ourImagesCheckAsQemuImgChecksThem(String name, CreateOptions options) throws IOException {
    Qemu.assumeAvailable();
    Path img = work.resolve(name + ".qcow2");
    if (name.equals("backing")) {
      Files.copy(dir.resolve("base.raw"), work.resolve("base.raw"));
    }
    try (Qcow2Image image = Qcow2Image.create(img, options)) {
      Random rnd = new Random(name.hashCode());
      for (int i = 0; i < 12; i++) {
        byte[] b = new byte[1 + rnd.nextInt(100_000)];
        rnd.nextBytes(b);
        image.disk().write(ByteBuffer.wrap(b), rnd.nextInt((int) options.size() - b.length));
      }
      image.disk().writeZeros(0, 70_000);
    }
    assertSame(qemu(img, Repair.NONE), ours(img, Repair.NONE), name);
  }

  static Stream<Arguments> damaged() {
    List<Arguments> a = new ArrayList<>();
    // Every damage on a 4 KiB-cluster image with snapshots; the kinds that differ with the
    // geometry (refcount width, subclusters, data file, bitmaps) on the others.
    for (Damage d : Damage.values()) {
      a.add(Arguments.of("snapshots", d));
    }
    for (Damage d : List.of(Damage.REFCOUNT_LOW, Damage.REFCOUNT_ZERO, Damage.COPIED_L1,
        Damage.UNALIGNED, Damage.OVERLAP_REFBLOCK)) {
      a.add(Arguments.of("extl2-snapshot", d));
    }
    for (String image : List.of("default", "v2", "c512-rb1", "c2m-rb64", "datafile",
        "bitmaps")) {
      for (Damage d : List.of(Damage.LEAK, Damage.REFCOUNT_ZERO, Damage.COPIED_L2,
          Damage.PAST_END)) {
        boolean invisible = (image.contains("rb1") && d == Damage.REFCOUNT_HIGH)
            // Data-file clusters are not refcounted: pointing them elsewhere is no corruption.
            || (image.equals("datafile") && (d == Damage.PAST_END || d == Damage.OVERLAP_L1));
        if (!invisible) {
          a.add(Arguments.of(image, d));
        }
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("damaged")
  void damagedImagesCheckAndRepairAsQemuImgDoes(String name, Damage damage) throws IOException {
    Qemu.assumeAvailable();
    Path img = copy(name);
    damage.apply(img);
    Outcome check = qemu(img, Repair.NONE);
    assertTrue(check.result() != null && !check.result().isClean(),
        name + " " + damage + ": the damage must be visible to qemu-img check");
    assertSame(check, ours(img, Repair.NONE), name + " " + damage);
    for (Repair repair : List.of(Repair.LEAKS, Repair.ALL)) {
      String what = name + " " + damage + " repaired with " + repair;
      Path byQemu = work.resolve("qemu-" + repair + ".qcow2");
      Path byUs = work.resolve("ours-" + repair + ".qcow2");
      Files.copy(img, byQemu, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(img, byUs, StandardCopyOption.REPLACE_EXISTING);
      assertSame(qemu(byQemu, repair), ours(byUs, repair), what);
      // Each tool's repair leaves what the other's check calls as its own check calls it.
      Outcome qemuOnOurs = qemu(byUs, Repair.NONE);
      if (!name.equals("bitmaps")) {
        // (qemu-img -r opens the image writable, and rewrites persistent bitmaps on closing.)
        assertSame(qemu(byQemu, Repair.NONE), qemuOnOurs, what + " (qemu-img checks both)");
      }
      assertSame(qemuOnOurs, ours(byUs, Repair.NONE), what + " (our repair)");
      assertSame(qemu(byQemu, Repair.NONE), ours(byQemu, Repair.NONE), what + " (qemu's repair)");
      if (repair == Repair.ALL && damage.ordinal() <= Damage.COPIED_L1.ordinal()) {
        assertTrue(qemuOnOurs.result().isClean(), what + ": qemu-img check finds "
            + qemuOnOurs.result() + "\n" + qemuOnOurs.messages());
      }
    }
  }

  /** One tool's check: the result (null when the check failed), its messages, exit status. */
  record Outcome(CheckResult result, String messages, int exitCode) {}

  private static void assertSame(Outcome expected, Outcome actual, String what) {
    assertEquals(expected.result(), actual.result(), what + ": qemu-img said\n"
        + expected.messages() + "we said\n" + actual.messages());
    assertEquals(expected.messages(), actual.messages(), what + ": messages");
    assertEquals(expected.exitCode(), actual.exitCode(), what + ": exit status");
  }

  private Path copy(String name) throws IOException {
    Path img = work.resolve(name + ".qcow2");
    if (name.equals("overlay")) {
      Files.copy(dir.resolve("base.raw"), work.resolve("base.raw"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.copy(dir.resolve(name + ".qcow2"), img, StandardCopyOption.REPLACE_EXISTING);
    return img;
  }

  static Outcome ours(Path img, Repair repair) throws IOException {
    StringBuilder messages = new StringBuilder();
    CheckOptions o = CheckOptions.builder().repair(repair)
        .messages(m -> messages.append(m).append('\n')).build();
    try {
      CheckResult r = Qcow2Check.check(img, o);
      return new Outcome(r, messages.toString(), r.exitCode());
    } catch (Qcow2Exception e) {
      assertTrue(e.getMessage().startsWith("Check failed"), e.getMessage());
      return new Outcome(null, messages + "qemu-img: " + e.getMessage() + "\n", 1);
    }
  }

  static Outcome qemu(Path img, Repair repair) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "check", "--output=json"));
    if (repair != Repair.NONE) {
      cmd.addAll(List.of("-r", repair == Repair.LEAKS ? "leaks" : "all"));
    }
    cmd.add(img.getFileName().toString());
    Qemu.Result r = Qemu.run(cmd, img.getParent());
    if (r.stdout().isBlank()) {
      assertEquals(1, r.exitCode(), r.stderr());
      return new Outcome(null, r.stderr(), 1);
    }
    JsonNode n = JSON.readTree(r.stdout());
    CheckResult c = new CheckResult(n.path("check-errors").asLong(),
        n.path("corruptions").asLong(), n.path("leaks").asLong(),
        n.path("corruptions-fixed").asLong(), n.path("leaks-fixed").asLong(),
        n.path("image-end-offset").asLong(), n.path("total-clusters").asLong(),
        n.path("allocated-clusters").asLong(), n.path("fragmented-clusters").asLong(),
        n.path("compressed-clusters").asLong());
    return new Outcome(c, r.stderr(), r.exitCode());
  }

  @org.junit.jupiter.api.Test
  void aPlainCheckWritesNothing() throws IOException {
    Qemu.assumeAvailable();
    for (String name : List.of("dirty", "snapshots", "bitmaps")) {
      Path img = copy(name);
      Damage.REFCOUNT_ZERO.apply(img);
      byte[] before = Files.readAllBytes(img);
      assertEquals(2, ours(img, Repair.NONE).exitCode(), name);
      assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(img)), name);
    }
  }

  @org.junit.jupiter.api.Test
  void withoutItsBackingFileAnImageIsNotChecked() throws IOException {
    Qemu.assumeAvailable();
    Path img = work.resolve("overlay.qcow2");
    Files.copy(dir.resolve("overlay.qcow2"), img);
    assertEquals(1, qemu(img, Repair.NONE).exitCode());
    assertThrows(io.github.qcow2nio.format.error.BackingChainException.class,
        () -> Qcow2Check.check(img, CheckOptions.check()));
  }

  @org.junit.jupiter.api.Test
  void aLeaksOnlyRepairThatNeedsARebuildFailsAsQemuImgFails() throws IOException {
    Qemu.assumeAvailable();
    Path img = copy("default");
    Damage.REFCOUNT_ZERO.apply(img);
    Qcow2Exception e = assertThrows(Qcow2Exception.class,
        () -> Qcow2Check.check(img, CheckOptions.repair(Repair.LEAKS)));
    assertEquals("Check failed: Input/output error", e.getMessage());
  }
}
