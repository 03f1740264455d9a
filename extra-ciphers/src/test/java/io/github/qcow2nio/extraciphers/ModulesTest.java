package io.github.qcow2nio.extraciphers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.extraciphers.probe.ModulesProbe;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Processes;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.bouncycastle.crypto.engines.TwofishEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module is found both ways a user deploys it, each in a JVM of its own: on the module path
 * (module-info's provides, bound because the core uses the service) and on the class path
 * (META-INF/services); and without it, or without Bouncy Castle, a twofish image is refused with
 * a message naming it.
 */
class ModulesTest {
  private static final String IMAGE = "twofish-128-cbc-essiv-sha256.qcow2";

  @TempDir Path dir;
  private Path image;

  @BeforeEach
  void unpack() throws IOException {
    image = dir.resolve(IMAGE);
    try (InputStream in = new GZIPInputStream(ModulesTest.class.getResourceAsStream(
        "/golden-extra-ciphers/" + IMAGE + ".gz"))) {
      Files.write(image, in.readAllBytes());
    }
  }

  private static String location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private String run(List<String> options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto"));
    cmd.addAll(options);
    cmd.addAll(List.of(ModulesProbe.class.getName(), image.toString(), GoldenImagesTest.PASS));
    Processes.Result r = Processes.run(cmd, dir, null, Duration.ofMinutes(2));
    assertEquals(0, r.exitCode(), cmd + "\n" + r.stdout() + r.stderr());
    return r.stdout();
  }

  private String expectedDisk() {
    return "disk " + GoldenImagesTest.sums().get(IMAGE);
  }

  @Test
  void foundOnTheModulePath() throws Exception {
    String out = run(List.of("--module-path", String.join(File.pathSeparator,
            location(Qcow2Image.class), location(BouncyCastleAlgorithms.class),
            location(TwofishEngine.class)),
        // Only the core is asked for: the provider comes in by service binding.
        "--add-modules", "io.github.qcow2nio.format",
        "-cp", location(ModulesProbe.class)));
    assertTrue(out.contains("provider " + BouncyCastleAlgorithms.class.getName()
        + " in module io.github.qcow2nio.extraciphers"), out);
    assertTrue(out.contains(expectedDisk()), out);
  }

  @Test
  void foundOnTheClassPath() throws Exception {
    String out = run(List.of("-cp", String.join(File.pathSeparator, location(Qcow2Image.class),
        location(BouncyCastleAlgorithms.class), location(TwofishEngine.class),
        location(ModulesProbe.class))));
    assertTrue(out.contains("provider " + BouncyCastleAlgorithms.class.getName()
        + " in the unnamed module"), out);
    assertTrue(out.contains(expectedDisk()), out);
  }

  @Test
  void withoutItTheImageIsRefusedNamingIt() throws Exception {
    String out = run(List.of("-cp", String.join(File.pathSeparator, location(Qcow2Image.class),
        location(ModulesProbe.class))));
    assertFalse(out.contains("provider "), out);
    assertTrue(out.contains("refused io.github.qcow2nio.format.error.UnsupportedImageException: "),
        out);
    assertTrue(out.contains("LUKS cipher 'twofish' needs the qcow2-extra-ciphers module on the "
        + "class path"), out);
  }

  /**
   * The module without Bouncy Castle: refused as if absent, saying why it did not load (the
   * probe's own look at the providers fails first, so the core sees the class's failed
   * initialisation rather than the missing Bouncy Castle class itself).
   */
  @Test
  void withoutBouncyCastleTheMessageSaysWhy() throws Exception {
    String out = run(List.of("-cp", String.join(File.pathSeparator, location(Qcow2Image.class),
        location(BouncyCastleAlgorithms.class), location(ModulesProbe.class))));
    assertTrue(out.contains("LUKS cipher 'twofish' needs the qcow2-extra-ciphers module on the "
        + "class path (a provider there failed to load: NoClassDefFoundError: "), out);
  }
}
