package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.RebaseOptions;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.ops.Commit;
import io.github.qcow2nio.format.ops.Rebase;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commit and rebase under the fault sweep's faults: at every host write, truncate and force of
 * the operation (across all the files of the chain), in turn, an I/O error (possibly torn), an
 * interrupt, a crash and a power loss. What must hold afterwards, on every file:
 *
 * <ul>
 *   <li>{@code qemu-img check} finds no errors (leaked clusters are allowed);
 *   <li>commit: the overlay reads exactly as before (its clusters are dropped only once the base
 *       is durable, and a dropped cluster reads the same from the base), and every 512-byte
 *       sector of the base reads either as it did or as committed;
 *   <li>rebase: the overlay reads exactly as before, through whichever backing file its header
 *       names after the fault (the old one until the header switch, the new one after);
 *   <li>after an I/O error or an interrupt the operation, run again, succeeds with the full
 *       result.
 * </ul>
 */
@Tag("qemu")
class CommitRebaseFaultSweepTest {
  private static final int SIZE = 192 << 10;
  private static final int CLUSTER = 4096;

  @TempDir Path dir;

  enum Op {
    COMMIT, COMMIT_KEEP,
    /** 512-byte clusters, 64-bit refcounts: the emptied overlay drops idle refcount blocks. */
    COMMIT_TINY_CLUSTERS,
    REBASE, REBASE_FLATTEN, REBASE_COMPRESSED
  }

  static Stream<Arguments> sweeps() {
    return Stream.of(Op.values()).flatMap(op -> Stream.of(FaultyLocation.Mode.values())
        .map(m -> Arguments.of(op, m)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("sweeps")
  void everyFaultPoint(Op op, FaultyLocation.Mode mode) throws IOException {
    Qemu.assumeAvailable();
    Map<String, byte[]> seed = seed(op);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    FileSetSweep.write(seedDir, seed);
    String top = topOf(op);
    byte[] guest = read(seedDir.resolve(top));
    byte[] baseBefore = op.name().startsWith("COMMIT") ? own(seedDir.resolve("base.qcow2"))
        : null;

    FileSetSweep.sweep("commit/rebase " + op, mode, dir, crash -> run(op, seed, crash),
        (at, after, what) -> {
          for (String name : after.keySet()) {
            if (Arrays.equals(after.get(name), seed.get(name))) {
              continue;
            }
            QemuImg.Check c = QemuImg.check(at.resolve(name));
            assertTrue(c.consistent(true), what + ": " + name + "\n" + c.output());
          }
          assertArrayEquals(guest, read(at.resolve(top)), what + ": the overlay reads as before");
          if (baseBefore != null) {
            byte[] base = own(at.resolve("base.qcow2"));
            for (int s = 0; s < SIZE; s += 512) {
              boolean old = Arrays.equals(base, s, s + 512, baseBefore, s, s + 512);
              boolean committed = Arrays.equals(base, s, s + 512, guest, s, s + 512);
              assertTrue(old || committed, what + ": base sector " + s / 512
                  + " is neither old nor committed");
            }
          }
          if (!mode.stopsTheWorld()) {
            // The operation failed (or survived the fault): run again, it completes.
            runOnDisk(op, at);
            assertArrayEquals(guest, read(at.resolve(top)), what + ": again");
            if (baseBefore != null) {
              assertArrayEquals(guest, own(at.resolve("base.qcow2")), what + ": base after retry");
            }
            for (String name : after.keySet()) {
              QemuImg.Check c = QemuImg.check(at.resolve(name));
              assertTrue(c.consistent(true), what + ", again: " + name + "\n" + c.output());
            }
          }
        });
  }

  private static String topOf(Op op) {
    return op.name().startsWith("COMMIT") ? "top.qcow2" : "ov.qcow2";
  }

  /** Runs the operation on in-memory copies of {@code seed}; returns the files it left. */
  private Map<String, byte[]> run(Op op, Map<String, byte[]> seed, FaultyLocation.Crash crash)
      throws IOException {
    return FileSetSweep.onCopies(seed, topOf(op), dir, crash, loc -> operate(op, loc));
  }

  private static void operate(Op op, ImageLocation loc) throws IOException {
    Path image = Path.of(loc.displayName());
    switch (op) {
      case COMMIT, COMMIT_TINY_CLUSTERS -> Commit.run(loc, CommitOptions.of(image),
          ProgressListener.NONE);
      case COMMIT_KEEP -> Commit.run(loc, CommitOptions.builder(image).keepOverlay(true)
          .build(), ProgressListener.NONE);
      case REBASE -> Rebase.run(loc, RebaseOptions.of(image, "new.qcow2", "qcow2"),
          ProgressListener.NONE);
      case REBASE_FLATTEN -> Rebase.run(loc, RebaseOptions.builder(image, "").build(),
          ProgressListener.NONE);
      case REBASE_COMPRESSED -> Rebase.run(loc, RebaseOptions.builder(image, "new.qcow2")
          .backingFormat("qcow2").compress(true).build(), ProgressListener.NONE);
      default -> throw new AssertionError(op);
    }
  }

  private static void runOnDisk(Op op, Path at) throws IOException {
    operate(op, new PathLocation(at.resolve(topOf(op))));
  }

  /** The chain the operation works on, made by this library, as file bytes by name. */
  private Map<String, byte[]> seed(Op op) throws IOException {
    Path d = Files.createDirectories(dir.resolve("make"));
    Random r = new Random(op.ordinal() + 1);
    String[] names = op.name().startsWith("COMMIT")
        ? new String[] {"base.qcow2", "top.qcow2"} : new String[] {"old.qcow2", "ov.qcow2"};
    boolean tiny = op == Op.COMMIT_TINY_CLUSTERS;
    make(d.resolve(names[0]), null, r, 12, tiny);
    make(d.resolve(names[1]), names[0], r, tiny ? 3 : 8, tiny);
    if (!op.name().startsWith("COMMIT")) {
      make(d.resolve("new.qcow2"), null, r, 0, false);
      try (Qcow2Image n = Qcow2Image.open(d.resolve("new.qcow2"), OpenOptions.readWrite())) {
        // Half the old backing file's content, so that some sectors differ and some do not.
        byte[] old = read(d.resolve("old.qcow2"));
        n.disk().write(ByteBuffer.wrap(old, 0, SIZE / 2), 0);
      }
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    FileSetSweep.deleteTree(d);
    return out;
  }

  private static void make(Path p, String backing, Random r, int writes, boolean tiny)
      throws IOException {
    CreateOptions.Builder b = CreateOptions.builder(SIZE).clusterSize(tiny ? 512 : CLUSTER);
    if (tiny) {
      b.refcountBits(64);
    }
    if (backing != null) {
      b.backingFile(backing).backingFormat("qcow2");
    }
    try (Qcow2Image img = Qcow2Image.create(p, b.build())) {
      VirtualDisk d = img.disk();
      for (int i = 0; i < writes; i++) {
        int at = r.nextInt(SIZE - 3 * CLUSTER);
        int len = 1 + r.nextInt(3 * CLUSTER);
        if (r.nextInt(4) == 0) {
          d.writeZeros(at, len);
        } else {
          byte[] data = new byte[len];
          r.nextBytes(data);
          d.write(ByteBuffer.wrap(data), at);
        }
      }
    }
  }

  /** The guest bytes of the image with its chain. */
  private static byte[] read(Path image) throws IOException {
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk d = img.disk();
      ByteBuffer b = ByteBuffer.allocate((int) d.size());
      d.read(b, 0);
      return b.array();
    }
  }

  /** The guest bytes of a base image (it has no backing file itself). */
  private static byte[] own(Path image) throws IOException {
    byte[] b = read(image);
    assertEquals(SIZE, b.length);
    return b;
  }

}
