package io.github.qcow2nio.extraciphers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * This module's ciphers against qemu-img 7.2 in both directions: images qemu-img creates and
 * qemu-io fills read here byte for byte as {@code qemu-img convert} reads them, and images
 * created and written here read in qemu-img exactly as written and pass {@code qemu-img check}.
 * The second direction runs every combination qemu-img accepts; the first, slow because qemu-img
 * times PBKDF2 for seconds per image, a sample covering every cipher, key size, mode, IV generator
 * and hash by default, all of them in the soak run ({@code -Dgroups=soak
 * -Dsurefire.excludedGroups=none}).
 */
@Tag("qemu")
class QemuInteropTest {
  private static final int SIZE = 1 << 20;

  @TempDir Path dir;

  static List<Combination> all() {
    return Combination.all();
  }

  static List<Combination> sample() {
    return Combination.sample();
  }

  static OpenOptions key(boolean writable) {
    return OpenOptions.builder().writable(writable)
        .keySecret(Combination.PASS.toCharArray()).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sample")
  void imagesQemuCreatesReadAsQemuReadsThem(Combination c) throws IOException {
    qemuCreatedReadsAsQemuReadsIt(c);
  }

  @Tag("soak")
  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void imagesQemuCreatesReadAsQemuReadsThemFullMatrix(Combination c) throws IOException {
    qemuCreatedReadsAsQemuReadsIt(c);
  }

  private void qemuCreatedReadsAsQemuReadsIt(Combination c) throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("q.qcow2");
    Qemu.Result r = QemuLuks.create(c, img, "1M");
    assertEquals(0, r.exitCode(), r.stderr());
    // Whole sectors, a partial sector, a zeroed range and a run over a cluster boundary.
    QemuLuks.io(img, "write -P 0x5a 0 64k", "write -P 0xa5 200k 777", "write -z 16k 4k",
        "write -P 0x3c 126k 5k", "write -P 0x11 1020k 4k");
    byte[] expected = QemuLuks.raw(img, dir);
    try (Qcow2Image image = Qcow2Image.open(img, key(false))) {
      assertArrayEquals(expected, read(image.disk(), SIZE), c.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void imagesWeCreateReadInQemuAsWritten(Combination c) throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("ours.qcow2");
    byte[] model = new byte[SIZE];
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(SIZE).clusterSize(4096)
        .encryption(c.options()).build())) {
      scribble(image.disk(), model, c.toString().hashCode());
    }
    Qemu.Result check = QemuLuks.check(img);
    assertEquals(0, check.exitCode(), c + ": " + check.stdout() + check.stderr());
    assertArrayEquals(model, QemuLuks.raw(img, dir), c.toString());
    JsonNode info = QemuLuks.info(img);
    assertEquals(c.alg(), info.path("cipher-alg").asText());
    assertEquals(c.mode(), info.path("cipher-mode").asText());
    assertEquals(c.ivgen(), info.path("ivgen-alg").asText());
    assertEquals(c.hash(), info.path("hash-alg").asText());
    // Reopened here and written again: the same key and IVs on the second pass.
    try (Qcow2Image image = Qcow2Image.open(img, key(true))) {
      scribble(image.disk(), model, ~c.toString().hashCode());
    }
    assertArrayEquals(model, QemuLuks.raw(img, dir), c + " rewritten");
  }

  /** Random writes of any alignment (partial sectors and clusters), mirrored in {@code model}. */
  static void scribble(VirtualDisk disk, byte[] model, long seed) throws IOException {
    Random rnd = new Random(seed);
    for (int i = 0; i < 25; i++) {
      int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 700 : 20000);
      long off = rnd.nextInt(model.length - len);
      if (rnd.nextInt(5) == 0) {
        disk.writeZeros(off, len);
        java.util.Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
      } else {
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        disk.write(ByteBuffer.wrap(b), off);
        System.arraycopy(b, 0, model, (int) off, len);
      }
    }
  }

  static byte[] read(VirtualDisk disk, int size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size);
    while (b.hasRemaining()) {
      int before = b.position();
      disk.read(b, before);
      if (b.position() == before) {
        throw new IOException("no progress at " + before);
      }
    }
    return b.array();
  }
}
