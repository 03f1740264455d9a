package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.EncryptionOptions;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Processes;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The LUKS images we create are laid out as qemu-img 7.2 lays out its own: the same qcow2
 * clusters (header, extensions, refcounts, L1, LUKS area where it puts it), the same LUKS header
 * but for what is random or timed (digest, salts, UUID, iteration counts), zeros where it has
 * zeros; and cryptsetup accepts the header and unlocks key slot 0 with the passphrase.
 */
@Tag("qemu")
class LuksLayoutTest {
  private static final String PASS = "pw";

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("", CreateOptions.defaults(64 << 20), opts()),
        Arguments.of("cluster_size=4096", CreateOptions.builder(1 << 20).clusterSize(4096)
            .build(), opts()),
        Arguments.of("encrypt.cipher-alg=aes-128,encrypt.cipher-mode=cbc,encrypt.ivgen-alg=essiv,"
            + "encrypt.hash-alg=sha1", CreateOptions.defaults(1 << 20), opts().cipherAlg("aes-128")
            .cipherMode("cbc").ivgenAlg("essiv").hashAlg("sha1")),
        Arguments.of("preallocation=metadata", CreateOptions.builder(1 << 20)
            .preallocation(Preallocation.METADATA).build(), opts()),
        Arguments.of("compat=0.10,cluster_size=512", CreateOptions.builder(1 << 20).version(2)
            .clusterSize(512).build(), opts()));
  }

  /** The rest, in the soak run: each qemu-img create times PBKDF2 for a second or more. */
  static Stream<Arguments> moreCases() {
    return Stream.of(
        Arguments.of("encrypt.cipher-alg=aes-192,encrypt.hash-alg=sha512",
            CreateOptions.defaults(1 << 20), opts().cipherAlg("aes-192").hashAlg("sha512")),
        Arguments.of("encrypt.cipher-mode=cbc,encrypt.ivgen-alg=plain",
            CreateOptions.defaults(1 << 20), opts().cipherMode("cbc").ivgenAlg("plain")),
        Arguments.of("compat=0.10", CreateOptions.builder(1 << 20).version(2).build(), opts()),
        Arguments.of("cluster_size=512", CreateOptions.builder(1 << 20).clusterSize(512)
            .build(), opts()),
        Arguments.of("extended_l2=on", CreateOptions.builder(1 << 20).extendedL2(true).build(),
            opts()));
  }

  @Tag("soak")
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("moreCases")
  void sameLayoutAsQemuImgMore(String qemuOptions, CreateOptions ours,
      EncryptionOptions.Builder e) throws IOException {
    sameLayoutAsQemuImg(qemuOptions, ours, e);
  }

  private static EncryptionOptions.Builder opts() {
    return EncryptionOptions.builder(KeySecret.of(PASS.toCharArray())).forceIterations(1000);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void sameLayoutAsQemuImg(String qemuOptions, CreateOptions ours, EncryptionOptions.Builder e)
      throws IOException {
    Qemu.assumeAvailable();
    Path q = dir.resolve("q.qcow2");
    Path o = dir.resolve("o.qcow2");
    Qemu.ok("qemu-img", "create", "-q", "--object", "secret,id=s0,data=" + PASS, "-f", "qcow2",
        "-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10"
            + (qemuOptions.isEmpty() ? "" : "," + qemuOptions), q.toString(),
        Long.toString(ours.size()));
    Qcow2Image.create(o, ours.toBuilder().encryption(e.build()).build()).close();
    byte[] qb = Files.readAllBytes(q);
    byte[] ob = Files.readAllBytes(o);
    ByteBuffer qh = ByteBuffer.wrap(qb);
    long areaOffset = qh.getLong(extension(qb) + 8);
    long areaLength = qh.getLong(extension(qb) + 16);
    if (ours.clusterSize() == 512) {
      // The area needs refcount blocks that do not exist yet: QEMU places the area first and the
      // blocks after it, our refcount allocator the blocks first. Both are valid (the interop
      // tests check such images); here only the LUKS area itself is compared.
      ByteBuffer oh = ByteBuffer.wrap(ob);
      long ourOffset = oh.getLong(extension(ob) + 8);
      assertEquals(areaLength, oh.getLong(extension(ob) + 16), "LUKS area length");
      compareAreas(Arrays.copyOfRange(qb, (int) areaOffset, (int) (areaOffset + areaLength)),
          Arrays.copyOfRange(ob, (int) ourOffset, (int) (ourOffset + areaLength)), areaLength);
      return;
    }
    assertEquals(qb.length, ob.length, "file length");
    // Everything outside the LUKS area, cluster 0 (header and extensions) first.
    assertArrayEquals(Arrays.copyOf(qb, (int) areaOffset), Arrays.copyOf(ob, (int) areaOffset),
        "the qcow2 clusters before the LUKS area");
    compareAreas(Arrays.copyOfRange(qb, (int) areaOffset, (int) (areaOffset + areaLength)),
        Arrays.copyOfRange(ob, (int) areaOffset, (int) (areaOffset + areaLength)), areaLength);
    // And the zero fill of the area's last cluster.
    assertArrayEquals(Arrays.copyOfRange(qb, (int) (areaOffset + areaLength), qb.length),
        Arrays.copyOfRange(ob, (int) (areaOffset + areaLength), ob.length), "after the area");
  }

  private static void compareAreas(byte[] qa, byte[] oa, long areaLength) throws IOException {
    long areaOffset = 0;
    LuksHeader qHeader = LuksHeader.parse(ByteBuffer.wrap(qa), areaOffset, areaLength);
    LuksHeader oHeader = LuksHeader.parse(ByteBuffer.wrap(oa), areaOffset, areaLength);
    assertArrayEquals(maskRandom(qa, qHeader), maskRandom(oa, oHeader),
        "the LUKS area but for its random and timed fields and slot 0's key material");
    assertNotEquals(qHeader.uuid(), oHeader.uuid());
    assertEquals(1000, oHeader.mkDigestIterations());
    assertEquals(1000, oHeader.slots().get(0).iterations());
  }

  /** Offset of the full disk encryption header extension in cluster 0. */
  private static int extension(byte[] image) {
    ByteBuffer b = ByteBuffer.wrap(image);
    int p = b.getInt(4) == 2 ? 72 : b.getInt(100);
    while (b.getInt(p) != 0) {
      if (b.getInt(p) == 0x0537BE77) {
        return p;
      }
      p += 8 + ((b.getInt(p + 4) + 7) & ~7);
    }
    throw new AssertionError("no full disk encryption header extension");
  }

  /** The area with digest, salts, UUID, iterations and slot 0's material zeroed. */
  private static byte[] maskRandom(byte[] area, LuksHeader h) {
    byte[] m = area.clone();
    Arrays.fill(m, 112, 208, (byte) 0);
    Arrays.fill(m, 208 + 4, 208 + 40, (byte) 0);
    int from = (int) h.slots().get(0).materialSector() * 512;
    Arrays.fill(m, from, from + h.keyBytes() * LuksHeader.STRIPES, (byte) 0);
    return m;
  }

  @Test
  void cryptsetupAcceptsTheHeaderAndThePassphrase() throws IOException {
    Assumptions.assumeTrue(available("cryptsetup"), "cryptsetup (cryptsetup-bin) not installed");
    for (EncryptionOptions e : new EncryptionOptions[] {opts().build(),
        opts().cipherAlg("aes-128").cipherMode("cbc").ivgenAlg("essiv").hashAlg("sha1").build(),
        opts().cipherAlg("aes-128").hashAlg("sha512").build(),
        opts().cipherAlg("aes-192").hashAlg("sha1").build()}) {
      Path img = dir.resolve("c.qcow2");
      Qcow2Image.create(img, CreateOptions.builder(1 << 20).encryption(e).build()).close();
      byte[] b = Files.readAllBytes(img);
      ByteBuffer h = ByteBuffer.wrap(b);
      int at = extension(b);
      long off = h.getLong(at + 8);
      long len = h.getLong(at + 16);
      Path luks = dir.resolve("luks.bin");
      Files.write(luks, Arrays.copyOfRange(b, (int) off, (int) (off + len)));
      Processes.Result dump = cryptsetup(List.of("luksDump", luks.toString()), null);
      assertEquals(0, dump.exitCode(), dump.stderr());
      String mode = (e.cipherMode() == null ? "xts" : e.cipherMode()) + "-"
          + ("essiv".equals(e.ivgenAlg()) ? "essiv:sha256" : "plain64");
      assertTrue(dump.stdout().matches("(?s).*Cipher mode:\\s+" + mode + "\\n.*"), dump.stdout());
      assertTrue(dump.stdout().matches("(?s).*Payload offset:\\s+" + len / 512 + "\\n.*"),
          dump.stdout());
      assertTrue(dump.stdout().contains("Key Slot 0: ENABLED"), dump.stdout());
      assertTrue(dump.stdout().contains("Key Slot 1: DISABLED"), dump.stdout());
      if ("aes-192".equals(e.cipherAlg())) {
        // The kernel's crypto API has no 48-byte XTS keys; cryptsetup then wants device-mapper
        // to unlock (also for qemu-img's own aes-192 images), which a container lacks.
        continue;
      }
      // Unlocking proves the key slot, the splitter and the master key digest.
      List<String> test = List.of("open", "--test-passphrase", "--key-file=-", luks.toString());
      Processes.Result open = cryptsetup(test, PASS);
      assertEquals(0, open.exitCode(), "the passphrase unlocks slot 0: " + open.stderr());
      assertEquals(2, cryptsetup(test, "not it").exitCode(), "another passphrase does not");
    }
  }

  private static Processes.Result cryptsetup(List<String> args, String input) throws IOException {
    List<String> c = new ArrayList<>(List.of("cryptsetup"));
    c.addAll(args);
    return Processes.run(c, null, input, Duration.ofMinutes(1));
  }

  private static boolean available(String tool) {
    try {
      return Processes.run(List.of(tool, "--version"), null, null, Duration.ofSeconds(30))
          .exitCode() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
