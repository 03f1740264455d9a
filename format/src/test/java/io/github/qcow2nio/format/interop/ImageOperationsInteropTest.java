package io.github.qcow2nio.format.interop;

import io.github.qcow2nio.format.testing.ImageBuilder;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Images after qemu-img rewrote their metadata: rebase (safe and unsafe, to longer names),
 * commit, amend between compat levels and refcount widths, snapshot apply and delete. These move
 * tables, rewrite the header and its extensions, and turn zero clusters into data or back.
 */
@Tag("qemu")
class ImageOperationsInteropTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  interface Operation {
    Path run(Path dir) throws IOException;
  }

  static Path base(Path dir, String name, String options) throws IOException {
    Path raw = ImageBuilder.raw(dir, name + ".src", TestData.mixed(name.hashCode(),
        (int) (3 * MIB), 4096));
    Path img = dir.resolve(name);
    Qemu.img("convert", "-f", "raw", "-O", "qcow2", "-o", options, raw.toString(),
        img.toString());
    Files.delete(raw);
    return img;
  }

  static String[] writes(long size) {
    return new String[] {
        "write -P 0x91 0 70000",
        "write -z " + (MIB + 65536) + " 131072",
        "write -z -u " + (MIB + 327680) + " 65536",
        "write -P 0x92 " + (size - 1000) + " 1000"};
  }

  static Stream<Named<Operation>> operations() {
    return Stream.of(
        Named.of("rebase (safe) onto another base", d -> {
          base(d, "base-a.qcow2", "compat=1.1");
          base(d, "base-b-with-a-longer-name.qcow2", "compat=1.1");
          Path top = ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base-a.qcow2", "qcow2").io(writes(3 * MIB)).create();
          Qemu.img("rebase", "-f", "qcow2", "-b", "base-b-with-a-longer-name.qcow2", "-F", "qcow2",
              top.toString());
          return top;
        }),
        Named.of("rebase (unsafe) to a renamed base", d -> {
          Path a = base(d, "a.qcow2", "compat=1.1");
          Path top = ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("a.qcow2", "qcow2").io(writes(3 * MIB)).create();
          Files.move(a, d.resolve("a-renamed-to-something-much-longer.qcow2"));
          Qemu.img("rebase", "-u", "-f", "qcow2", "-b", "a-renamed-to-something-much-longer.qcow2",
              "-F", "qcow2", top.toString());
          return top;
        }),
        Named.of("rebase onto no backing file", d -> {
          base(d, "base.qcow2", "compat=1.1");
          Path top = ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("base.qcow2", "qcow2").io(writes(3 * MIB)).create();
          Qemu.img("rebase", "-f", "qcow2", "-b", "", top.toString());
          return top;
        }),
        Named.of("commit middle layer into base", d -> {
          base(d, "base.qcow2", "compat=1.1");
          Path mid = ImageBuilder.qcow2(d, "mid.qcow2").size(3 * MIB)
              .backing("base.qcow2", "qcow2").io(writes(3 * MIB)).create();
          Path top = ImageBuilder.qcow2(d, "top.qcow2").size(3 * MIB)
              .backing("mid.qcow2", "qcow2").io("write -P 0x93 500000 100000").create();
          Qemu.img("commit", "-f", "qcow2", mid.toString());
          return top;
        }),
        Named.of("amend compat 1.1 to 0.10 (zero clusters rewritten)", d -> {
          Path img = ImageBuilder.qcow2(d, "img.qcow2").size(3 * MIB + 512)
              .option("cluster_size", 4096).io(writes(3 * MIB + 512)).create();
          Qemu.img("amend", "-f", "qcow2", "-o", "compat=0.10", img.toString());
          return img;
        }),
        Named.of("amend compat 0.10 to 1.1", d -> {
          Path img = ImageBuilder.qcow2(d, "img.qcow2").size(3 * MIB + 512)
              .option("compat", "0.10").io("write -P 0x94 0 300000").create();
          Qemu.img("amend", "-f", "qcow2", "-o", "compat=1.1", img.toString());
          Qemu.io(img, writes(3 * MIB + 512));
          return img;
        }),
        Named.of("amend refcount_bits 16 to 1 and to 64", d -> {
          Path img = ImageBuilder.qcow2(d, "img.qcow2").size(3 * MIB)
              .option("cluster_size", 512).io(writes(3 * MIB)).create();
          Qemu.img("amend", "-f", "qcow2", "-o", "refcount_bits=1", img.toString());
          Qemu.io(img, "write -P 0x95 2000000 5000");
          Qemu.img("amend", "-f", "qcow2", "-o", "refcount_bits=64", img.toString());
          return img;
        }),
        Named.of("snapshot applied, then another deleted", d -> {
          Path img = ImageBuilder.qcow2(d, "img.qcow2").size(3 * MIB)
              .io("write -P 0x96 0 1000000").create();
          ImageBuilder.snapshot(img, "a");
          Qemu.io(img, writes(3 * MIB));
          ImageBuilder.snapshot(img, "b");
          Qemu.io(img, "write -P 0x97 100000 100000");
          Qemu.img("snapshot", "-a", "a", img.toString());
          Qemu.io(img, "write -P 0x98 150000 1000");
          Qemu.img("snapshot", "-d", "b", img.toString());
          return img;
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operations")
  void readsLikeQemuAfter(Operation op, TestInfo test) throws Exception {
    Qemu.assumeAvailable();
    Path img = op.run(dir);
    QemuOracle.assertReadsLikeQemu(img, dir, test.getDisplayName());
  }
}
