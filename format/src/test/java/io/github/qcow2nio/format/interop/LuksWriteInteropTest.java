package io.github.qcow2nio.format.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.CompressedWriter;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.UnsupportedImageException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LUKS images we create and write, read back by qemu-img exactly as our model says and passing
 * {@code qemu-img check}: every AES cipher, mode and hash qemu-img 7.2 accepts (the other ciphers
 * are the qcow2-extra-ciphers module's tests), partial sectors,
 * partial clusters, subclusters, zero writes, discards, a backing file and a data file. PBKDF2
 * runs 1000 iterations here ({@code forceIterations}); the timed default has its own tests.
 */
@Tag("qemu")
class LuksWriteInteropTest {
  static final String PASS = "pass phrase";

  @TempDir Path dir;

  static EncryptionOptions.Builder luks() {
    return EncryptionOptions.builder(KeySecret.of(PASS.toCharArray())).forceIterations(1000);
  }

  static OpenOptions rw() {
    return OpenOptions.builder().writable(true).keySecret(PASS.toCharArray()).build();
  }

  /** The image through qemu-img convert --image-opts, as raw bytes. */
  static byte[] qemuRaw(Path img, Path scratch) throws IOException {
    Path raw = scratch.resolve(img.getFileName() + ".raw");
    Qemu.Result r = Qemu.run(List.of("qemu-img", "convert", "--object",
        "secret,id=s0,data=" + PASS, "--image-opts",
        "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=s0", "-O", "raw",
        raw.toString()));
    assertEquals(0, r.exitCode(), r.stderr());
    byte[] b = Files.readAllBytes(raw);
    Files.delete(raw);
    return b;
  }

  /** qemu-img check of an encrypted image: it needs the secret to open it. */
  static QemuImg.Check check(Path img) throws IOException {
    return QemuImg.check(img, "--object", "secret,id=s0,data=" + PASS, "--image-opts");
  }

  static void assertQemuAgrees(Path img, byte[] model, Path scratch, String label)
      throws IOException {
    QemuImg.Check c = checkImageOpts(img);
    assertTrue(c.consistent(false), label + ": " + c.output());
    assertArrayEquals(model, qemuRaw(img, scratch), label);
  }

  static QemuImg.Check checkImageOpts(Path img) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "check", "--output=json",
        "--object", "secret,id=s0,data=" + PASS, "--image-opts",
        "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=s0"));
    Qemu.Result r = Qemu.run(cmd);
    com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(r.stdout().isBlank() ? "{}" : r.stdout());
    return new QemuImg.Check(r.exitCode(), n.path("check-errors").asLong(0),
        n.path("corruptions").asLong(0), n.path("leaks").asLong(0),
        n.path("allocated-clusters").asLong(-1), n.path("total-clusters").asLong(-1),
        n.path("image-end-offset").asLong(-1), r.stdout() + r.stderr());
  }

  /** Writes of every alignment, zeros and discards, mirrored in {@code model}. */
  static void scribble(VirtualDisk disk, byte[] model, long seed, int ops) throws IOException {
    Random rnd = new Random(seed);
    for (int i = 0; i < ops; i++) {
      int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 700 : 20000);
      long off = rnd.nextInt(model.length - len);
      int kind = rnd.nextInt(10);
      if (kind < 7) {
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        disk.write(ByteBuffer.wrap(b), off);
        System.arraycopy(b, 0, model, (int) off, len);
      } else if (kind < 9) {
        disk.writeZeros(off, len);
        java.util.Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
      } else {
        // Discard may leave the bytes or zero them; re-read what the disk says, then mirror it.
        disk.discard(off, len);
        ByteBuffer now = ByteBuffer.allocate(len);
        disk.read(now, off);
        System.arraycopy(now.array(), 0, model, (int) off, len);
      }
    }
  }

  private static final String[] ALGS = {"aes-128", "aes-192", "aes-256"};
  private static final String[] MODES = {"xts-plain64", "cbc-plain64", "cbc-essiv"};
  private static final String[] HASHES = {"sha1", "sha256", "sha512"};

  /** Everything qemu-img 7.2 creates (it aborts on aes-192 with cbc). */
  static Stream<Arguments> combinations() {
    List<Arguments> out = new ArrayList<>();
    for (String alg : ALGS) {
      for (String mode : MODES) {
        for (String hash : HASHES) {
          if (!(alg.equals("aes-192") && mode.startsWith("cbc"))) {
            out.add(Arguments.of(alg, mode, hash));
          }
        }
      }
    }
    // The other chaining modes qemu-img 7.2 offers, and md5 (for PBKDF2 and as ESSIV's hash).
    out.add(Arguments.of("aes-128", "ecb-plain64", "sha256"));
    out.add(Arguments.of("aes-256", "ctr-plain64", "md5"));
    out.add(Arguments.of("aes-256", "ctr-essiv", "sha256"));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}-{1} {2}")
  @MethodSource("combinations")
  void everyCombinationReadsInQemuAsWritten(String alg, String mode, String hash)
      throws IOException {
    Qemu.assumeAvailable();
    String[] m = mode.split("-");
    EncryptionOptions e = luks().cipherAlg(alg).cipherMode(m[0]).ivgenAlg(m[1]).hashAlg(hash)
        .build();
    Path img = dir.resolve(alg + mode + hash + ".qcow2");
    byte[] model = new byte[1 << 20];
    try (Qcow2Image image = Qcow2Image.create(img,
        CreateOptions.builder(model.length).clusterSize(4096).encryption(e).build())) {
      scribble(image.disk(), model, (alg + mode + hash).hashCode(), 60);
    }
    assertQemuAgrees(img, model, dir, alg + "-" + mode + " " + hash);
    JsonInfo info = JsonInfo.of(img);
    assertEquals(alg, info.get("cipher-alg"));
    assertEquals(m[0], info.get("cipher-mode"));
    assertEquals(m[1], info.get("ivgen-alg"));
    assertEquals(hash, info.get("hash-alg"));
    if (m[1].equals("essiv")) {
      assertEquals("sha256", info.get("ivgen-hash-alg"));
    }
  }

  /** The {@code encrypt} block of {@code qemu-img info --output=json}. */
  record JsonInfo(com.fasterxml.jackson.databind.JsonNode n) {
    static JsonInfo of(Path img) throws IOException {
      return new JsonInfo(QemuImg.info(img).path("format-specific").path("data")
          .path("encrypt"));
    }

    String get(String key) {
      return n.path(key).asText();
    }
  }

  static Stream<Arguments> layouts() {
    CreateOptions d = CreateOptions.defaults(3 << 20);
    return Stream.of(
        Arguments.of("64k", d),
        Arguments.of("4k", d.toBuilder().clusterSize(4096).build()),
        Arguments.of("512", d.toBuilder().clusterSize(512).build()),
        Arguments.of("v2", d.toBuilder().version(2).build()),
        Arguments.of("extended l2 16k", d.toBuilder().clusterSize(16384).extendedL2(true)
            .build()),
        Arguments.of("extended l2 64k", d.toBuilder().extendedL2(true).build()),
        Arguments.of("lazy refcounts", d.toBuilder().lazyRefcounts(true).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layouts")
  void layoutsReadInQemuAsWritten(String name, CreateOptions options) throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("l.qcow2");
    byte[] model = new byte[(int) options.size()];
    try (Qcow2Image image = Qcow2Image.create(img, options.toBuilder()
        .encryption(luks().build()).build())) {
      scribble(image.disk(), model, name.hashCode(), 150);
    }
    // Reopened by us too, and written again.
    try (Qcow2Image image = Qcow2Image.open(img, rw())) {
      scribble(image.disk(), model, ~name.hashCode(), 50);
    }
    assertQemuAgrees(img, model, dir, name);
    // Our check counts the LUKS area's clusters as referenced, as qemu-img's does.
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.builder()
            .keySecret(PASS.toCharArray()).build());
        io.github.qcow2nio.format.io.HostFile file =
            new io.github.qcow2nio.format.io.PathLocation(img).open(false)) {
      io.github.qcow2nio.format.CheckResult r = io.github.qcow2nio.format.ops.ImageCheck.run(
          image, file, io.github.qcow2nio.format.CheckOptions.check());
      assertTrue(r.isClean(), name + ": " + r);
    }
  }

  @Test
  void backingAndDataFileLayers() throws IOException {
    Qemu.assumeAvailable();
    Path base = dir.resolve("base.raw");
    byte[] model = new byte[1 << 20];
    new Random(7).nextBytes(model);
    Files.write(base, model);
    Path top = dir.resolve("top.qcow2");
    try (Qcow2Image image = Qcow2Image.create(top, CreateOptions.builder(model.length)
        .clusterSize(4096).backingFile("base.raw").backingFormat("raw")
        .encryption(luks().build()).build())) {
      // Partial sectors and clusters over the backing file: COW copies what shows through.
      scribble(image.disk(), model, 11, 120);
    }
    assertQemuAgrees(top, model, dir, "over a raw backing file");

    Path data = dir.resolve("data.qcow2");
    byte[] m2 = new byte[1 << 20];
    try (Qcow2Image image = Qcow2Image.create(data, CreateOptions.builder(m2.length)
        .clusterSize(4096).dataFile(dir.resolve("data.raw").toString())
        .encryption(luks().build()).build())) {
      scribble(image.disk(), m2, 12, 120);
    }
    assertQemuAgrees(data, m2, dir, "with an external data file");
  }

  @Test
  void qemuWritesWhatWeCreatedAndWeReadIt() throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("q.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(1 << 20)
        .clusterSize(4096).encryption(luks().cipherAlg("aes-128").cipherMode("cbc")
            .ivgenAlg("essiv").build()).build())) {
      image.disk().write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 100);
    }
    Qemu.Result r = Qemu.run(List.of("qemu-io", "--object", "secret,id=s0,data=" + PASS,
        "--image-opts", "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=s0",
        "-c", "write -P 0x5a 1000 9000", "-c", "write -z 20k 8k"));
    assertEquals(0, r.exitCode(), r.stderr());
    byte[] expected = qemuRaw(img, dir);
    assertEquals(0x5a, expected[1000]);
    try (Qcow2Image image = Qcow2Image.open(img, rw())) {
      ByteBuffer all = ByteBuffer.allocate(1 << 20);
      image.disk().read(all, 0);
      assertArrayEquals(expected, all.array());
    }
  }

  @Test
  void compressedWritesAreRefusedAndHolesAreNotZerosOnDisk() throws IOException {
    Path img = dir.resolve("c.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(1 << 20)
        .encryption(luks().build()).build())) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> CompressedWriter.open((Qcow2Disk) image.disk()));
      assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
      // A short write into a fresh cluster: the rest of the cluster must read as zeros, so it is
      // written encrypted, not left as a hole (which would decrypt to noise).
      image.disk().write(ByteBuffer.wrap(MARKER), 70000);
      ByteBuffer b = ByteBuffer.allocate(65536);
      image.disk().read(b, 65536);
      byte[] expected = new byte[65536];
      System.arraycopy(MARKER, 0, expected, 70000 - 65536, MARKER.length);
      assertArrayEquals(expected, b.array());
    }
    // No plaintext in the file.
    String file = new String(Files.readAllBytes(img), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertFalse(file.contains(new String(MARKER, java.nio.charset.StandardCharsets.ISO_8859_1)));
    // The same write to a plain image is found by the same search.
    Path plain = dir.resolve("plain.qcow2");
    try (Qcow2Image image = Qcow2Image.create(plain, CreateOptions.defaults(1 << 20))) {
      image.disk().write(ByteBuffer.wrap(MARKER), 70000);
    }
    assertTrue(new String(Files.readAllBytes(plain), java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains(new String(MARKER, java.nio.charset.StandardCharsets.ISO_8859_1)));
  }

  private static final byte[] MARKER = "a marker of guest plaintext, 45 bytes long..."
      .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  @Test
  void inPlaceWritesOverScatteredClustersLandEachInItsOwn() throws IOException {
    Path img = dir.resolve("s.qcow2");
    byte[] model = new byte[64 << 10];
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(model.length)
        .clusterSize(4096).encryption(luks().build()).build())) {
      VirtualDisk d = image.disk();
      // Guest clusters 2, 0, 1 allocated in that order: host order differs from guest order.
      for (int c : new int[] {2, 0, 1}) {
        byte[] b = new byte[4096];
        java.util.Arrays.fill(b, (byte) (c + 1));
        d.write(ByteBuffer.wrap(b), c * 4096L);
      }
      // One in-place write over all three: each host run gets its own part of the buffer.
      new Random(3).nextBytes(model);
      d.write(ByteBuffer.wrap(model, 0, 3 * 4096), 0);
      ByteBuffer back = ByteBuffer.allocate(3 * 4096);
      d.read(back, 0);
      assertArrayEquals(java.util.Arrays.copyOf(model, 3 * 4096), back.array());
    }
  }

  @Test
  void optionsAreCheckedAsQemuImgChecksThem() {
    Path img = dir.resolve("bad.qcow2");
    for (EncryptionOptions e : new EncryptionOptions[] {
        luks().cipherAlg("twofish-128").build(), luks().cipherMode("ofb").build(),
        luks().ivgenAlg("benbi").build(), luks().hashAlg("sm3").build(),
        luks().hashAlg("ripemd160").build(), luks().cipherAlg("sm4").build(),
        luks().cipherAlg("aes-192").cipherMode("cbc").build(),
        luks().ivgenAlg("essiv").ivgenHashAlg("sha1").build(), luks().format("aes").build(),
        luks().forceIterations(10).build()}) {
      IOException x = assertThrows(IOException.class, () -> Qcow2Image.create(img,
          CreateOptions.builder(1 << 20).encryption(e).build()).close(), e.toString());
      assertFalse(x.getMessage().contains(PASS), x.getMessage());
    }
    // Without the provider module on the class path, its ciphers and hashes are refused by name.
    UnsupportedImageException twofish = assertThrows(UnsupportedImageException.class,
        () -> Qcow2Image.create(img, CreateOptions.builder(1 << 20)
            .encryption(luks().cipherAlg("twofish-256").build()).build()));
    assertTrue(twofish.getMessage().endsWith(
        "LUKS cipher 'twofish' needs the qcow2-extra-ciphers module on the class path"),
        twofish.getMessage());
    UnsupportedImageException ripemd = assertThrows(UnsupportedImageException.class,
        () -> Qcow2Image.create(img, CreateOptions.builder(1 << 20)
            .encryption(luks().hashAlg("ripemd160").build()).build()));
    assertTrue(ripemd.getMessage().endsWith(
        "LUKS hash 'ripemd160' needs the qcow2-extra-ciphers module on the class path"),
        ripemd.getMessage());
    IOException none = assertThrows(IOException.class, () -> Qcow2Image.create(img,
        CreateOptions.builder(1 << 20).encryption(EncryptionOptions.luks(null)).build()));
    assertTrue(none.getMessage().contains("encrypt.key-secret"), none.getMessage());
    assertFalse(luks().build().toString().contains(PASS));
    assertNotEquals(-1, luks().build().toString().indexOf("hidden"));
  }
}
