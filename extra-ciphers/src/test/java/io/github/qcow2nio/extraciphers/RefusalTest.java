package io.github.qcow2nio.extraciphers;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What qemu-img 7.2 refuses with these ciphers is refused here too, in its words where it has
 * some (a 192-bit key outside xts makes qemu-img abort on an assertion instead: refused here
 * with a reason), and nothing is left behind.
 */
class RefusalTest {
  @TempDir Path dir;

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(new Combination("cast5-128", "xts", "plain64", null, "sha256"),
            "Unsupported cipher mode xts"),
        Arguments.of(new Combination("cast5-128", "cbc", "essiv", "sha256", "sha256"),
            "Cipher cast5-128 not supported with essiv"),
        Arguments.of(new Combination("twofish-128", "cbc", "essiv", "sha1", "sha256"),
            "No Twofish cipher with key size 20 available"),
        Arguments.of(new Combination("serpent-256", "ctr", "essiv", "ripemd160", "sha256"),
            "No Serpent cipher with key size 20 available"),
        Arguments.of(new Combination("twofish-256", "xts", "essiv", "sha512", "sha256"),
            "No Twofish cipher with key size 64 available"),
        Arguments.of(new Combination("sm4", "xts", "plain64", null, "sha256"),
            "Parameter 'cipher-alg' does not accept value 'sm4'"),
        Arguments.of(new Combination("twofish-256", "xts", "plain64", null, "sm3"),
            "Parameter 'hash-alg' does not accept value 'sm3'"),
        Arguments.of(new Combination("twofish-192", "cbc", "plain64", null, "sha256"), null),
        Arguments.of(new Combination("serpent-192", "ctr", "essiv", "sha256", "sha256"), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedAsQemuImgRefuses(Combination c, String qemuWords) {
    Path img = dir.resolve("r.qcow2");
    Qcow2Exception e = assertThrows(Qcow2Exception.class, () -> Qcow2Image.create(img,
        CreateOptions.builder(1 << 20).encryption(c.options()).build()).close());
    if (qemuWords != null) {
      assertTrue(e.getMessage().endsWith(": " + qemuWords), e.getMessage());
    } else {
      assertTrue(e.getMessage().contains("not a whole number of sectors"), e.getMessage());
    }
    assertTrue(!Files.exists(img), "left " + img);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  @Tag("qemu")
  void qemuImgRefusesThemToo(Combination c, String qemuWords) throws IOException {
    Qemu.assumeAvailable();
    Qemu.Result r = QemuLuks.create(c, dir.resolve("q.qcow2"), "1M");
    assertNotEquals(0, r.exitCode(), c.toString());
    if (qemuWords != null) {
      assertTrue(r.stderr().strip().endsWith(": " + qemuWords), r.stderr());
    }
  }
}
