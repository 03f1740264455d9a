package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.BackingKeys;
import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.RebaseOptions;
import io.github.qcow2nio.format.ResizeOptions;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.ops.Commit;
import io.github.qcow2nio.format.ops.Rebase;
import io.github.qcow2nio.format.ops.Resize;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resize and commit of LUKS images under the fault sweep's faults (at every host write,
 * truncate and force of the operation, in turn: an I/O error, an interrupt, a crash, a power
 * loss). The commit's overlay and base have different keys, so the committed data is decrypted
 * with one and encrypted with the other. What must hold afterwards:
 *
 * <ul>
 *   <li>{@code qemu-img check}, given each layer's key, finds no errors (leaks are allowed);
 *   <li>commit: the overlay reads exactly as before, and each 512-byte sector of the base reads
 *       either as it did or as committed;
 *   <li>resize: the size is the old one or the new one, and what both sizes share reads as
 *       before;
 *   <li>after an I/O error or an interrupt the operation, run again, completes.
 * </ul>
 */
@Tag("qemu")
class EncryptedFaultSweepTest {
  private static final int SIZE = 192 << 10;
  private static final String TOP_PASS = "overlay pass";
  private static final String BASE_PASS = "base pass";

  @TempDir Path dir;

  enum Op {
    COMMIT(SIZE),
    /** Growth with metadata preallocation: L2 tables and clusters allocated past the old end. */
    RESIZE_GROW(320 << 10),
    /** A shrink: the clusters past the new end dropped, then the file cut. */
    RESIZE_SHRINK(96 << 10);

    final int newSize;

    Op(int newSize) {
      this.newSize = newSize;
    }

    String top() {
      return this == COMMIT ? "top.qcow2" : "img.qcow2";
    }
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
    byte[] guest = read(seedDir.resolve(op.top()), op.top());
    byte[] baseBefore = op == Op.COMMIT ? read(seedDir.resolve("base.qcow2"), "base.qcow2")
        : null;

    FileSetSweep.sweep("encrypted " + op, mode, dir, crash -> run(op, seed, crash),
        (at, after, what) -> {
          for (String name : after.keySet()) {
            if (!Arrays.equals(after.get(name), seed.get(name))) {
              check(at, name, what);
            }
          }
          expect(op, at, guest, baseBefore, false, what);
          if (!mode.stopsTheWorld()) {
            // A growth that failed while preallocating has its new size already: run again,
            // it would be refused as qemu-img refuses preallocating without growth.
            if (op != Op.RESIZE_GROW || read(at.resolve(op.top()), op.top()).length == SIZE) {
              operate(op, new PathLocation(at.resolve(op.top())));
            }
            expect(op, at, guest, baseBefore, true, what + ", again");
            for (String name : after.keySet()) {
              check(at, name, what + ", again");
            }
          }
        });
  }

  /** What the files in {@code at} must read; {@code done}: the operation completed. */
  private static void expect(Op op, Path at, byte[] guest, byte[] baseBefore, boolean done,
      String what) throws IOException {
    byte[] now = read(at.resolve(op.top()), op.top());
    if (op == Op.COMMIT) {
      assertArrayEquals(guest, now, what + ": the overlay reads as before");
      byte[] base = read(at.resolve("base.qcow2"), "base.qcow2");
      if (done) {
        assertArrayEquals(guest, base, what + ": the base holds the commit");
      }
      for (int s = 0; s < SIZE; s += 512) {
        boolean old = Arrays.equals(base, s, s + 512, baseBefore, s, s + 512);
        boolean committed = Arrays.equals(base, s, s + 512, guest, s, s + 512);
        assertTrue(old || committed, what + ": base sector " + s / 512
            + " is neither old nor committed");
      }
      return;
    }
    assertTrue(now.length == op.newSize || !done && now.length == SIZE,
        what + ": size " + now.length);
    // A failed shrink may have dropped what lies past the new end before the size changed.
    int shared = Math.min(SIZE, op.newSize);
    assertTrue(Arrays.equals(guest, 0, shared, now, 0, shared), what + ": reads as before");
  }

  private void check(Path at, String name, String what) throws IOException {
    QemuImg.Check c = name.equals("top.qcow2")
        ? QemuImg.checkEncryptedChain(at.resolve(name), TOP_PASS, BASE_PASS)
        : QemuImg.checkEncrypted(at.resolve(name), name.equals("base.qcow2") ? BASE_PASS
            : TOP_PASS);
    assertTrue(c.consistent(true), what + ": " + name + "\n" + c.output());
  }

  private Map<String, byte[]> run(Op op, Map<String, byte[]> seed, FaultyLocation.Crash crash)
      throws IOException {
    return FileSetSweep.onCopies(seed, op.top(), dir, crash, loc -> operate(op, loc));
  }

  private static void operate(Op op, ImageLocation loc) throws IOException {
    Path image = Path.of(loc.displayName());
    switch (op) {
      case COMMIT -> Commit.run(loc, CommitOptions.builder(image).keySecret(key(TOP_PASS))
          .backingKeys(BackingKeys.exactly(List.of(key(BASE_PASS)))).build(),
          ProgressListener.NONE);
      case RESIZE_GROW -> Resize.run(loc, ResizeOptions.to(image, op.newSize)
          .withPreallocation(Preallocation.METADATA).withKeySecret(key(TOP_PASS)));
      case RESIZE_SHRINK -> Resize.run(loc, ResizeOptions.to(image, op.newSize)
          .withShrink(true).withKeySecret(key(TOP_PASS)));
      default -> throw new AssertionError(op);
    }
  }

  private static KeySecret key(String pass) {
    return KeySecret.of(pass.toCharArray());
  }

  /** The images the operation works on, made by this library, as file bytes by name. */
  private Map<String, byte[]> seed(Op op) throws IOException {
    Path d = Files.createDirectories(dir.resolve("make"));
    Random r = new Random(op.ordinal() + 41);
    if (op == Op.COMMIT) {
      make(d.resolve("base.qcow2"), BASE_PASS, r, 10);
      // Made alone, then given its backing file: a create over the base would open the base
      // with the overlay's key.
      make(d.resolve("top.qcow2"), TOP_PASS, r, 6);
      Rebase.run(RebaseOptions.builder(d.resolve("top.qcow2"), "base.qcow2")
          .backingFormat("qcow2").unsafe(true).keySecret(key(TOP_PASS)).build(),
          ProgressListener.NONE);
    } else {
      make(d.resolve("img.qcow2"), TOP_PASS, r, 10);
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

  private static void make(Path p, String pass, Random r, int writes) throws IOException {
    CreateOptions o = CreateOptions.builder(SIZE).clusterSize(4096).encryption(
        EncryptionOptions.builder(key(pass)).forceIterations(1000).build()).build();
    try (Qcow2Image img = Qcow2Image.create(p, o)) {
      VirtualDisk d = img.disk();
      for (int i = 0; i < writes; i++) {
        int at = r.nextInt(SIZE - 3 * 4096);
        int len = 1 + r.nextInt(3 * 4096);
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

  /** The guest bytes of {@code image}, each layer opened with its own key. */
  private static byte[] read(Path image, String name) throws IOException {
    OpenOptions o = name.equals("base.qcow2") ? OpenOptions.builder().keySecret(key(BASE_PASS))
        .build() : OpenOptions.builder().keySecret(key(TOP_PASS))
        .backingKeys(BackingKeys.exactly(List.of(key(BASE_PASS)))).build();
    try (Qcow2Image img = Qcow2Image.open(image, o)) {
      VirtualDisk d = img.disk();
      ByteBuffer b = ByteBuffer.allocate((int) d.size());
      d.read(b, 0);
      return b.array();
    }
  }

}
