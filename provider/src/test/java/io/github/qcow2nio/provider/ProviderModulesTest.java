package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.nio.AbstractPath;
import io.github.qcow2nio.provider.testing.ProviderProbe;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.provider.testing.TestImage;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * The provider is found both ways a user deploys it: on the class path (META-INF/services) and on
 * the module path (module-info's provides), each in a JVM of its own.
 */
@Tag("qemu")
class ProviderModulesTest {
  @TempDir Path dir;

  private static String location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  /** Images to read in the child, each with the SHA-256 its disk must have. */
  private List<String[]> images() throws Exception {
    List<String[]> out = new ArrayList<>();
    TestImage t = TestImage.of(1 << 20, 12).random(11);
    Path plain = dir.resolve("plain.qcow2");
    Files.write(plain, t.toBytes());
    out.add(new String[] {plain.toString(), sha(t.contents())});
    if (Qemu.available()) {
      // A zstd-compressed cluster makes the child load zstd-jni through its module.
      Path z = dir.resolve("zstd.qcow2");
      Qemu.img("create", "-f", "qcow2", "-o", "compression_type=zstd", z.toString(), "1M");
      Qemu.io(z, "write -c -P 0x33 0 64k");
      out.add(new String[] {z.toString(), sha(Qemu.rawContents(z, dir))});
    }
    return out;
  }

  private static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), command + "\n" + out);
    return out;
  }

  private List<String> java() {
    return new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto"));
  }

  @Test
  void foundOnTheModulePath() throws Exception {
    List<String[]> images = images();
    List<String> cmd = java();
    cmd.addAll(List.of("--module-path", String.join(File.pathSeparator,
            location(Qcow2Image.class), location(Qcow2FileSystemProvider.class),
            location(AbstractPath.class),
            location(Zstd.class)),
        // The core only requires zstd-jni statically: a zstd user adds its module.
        "--add-modules", "io.github.qcow2nio.provider,com.github.luben.zstd_jni",
        "-cp", location(ProviderProbe.class), ProviderProbe.class.getName()));
    images.forEach(i -> cmd.add(i[0]));
    String out = run(cmd);
    assertTrue(out.contains("provider " + Qcow2FileSystemProvider.class.getName()
        + " in module io.github.qcow2nio.provider"), out);
    for (String[] i : images) {
      assertTrue(out.contains("disk " + i[0] + " " + i[1]), out);
    }
  }

  /** Without zstd-jni, a zlib image reads as ever and a zstd image is refused, saying why. */
  @Test
  void zstdJniIsNeededOnlyForZstdImages() throws Exception {
    Qemu.assumeAvailable();
    List<String[]> images = images();
    List<String> classPath = java();
    classPath.addAll(List.of("-cp", String.join(File.pathSeparator, location(Qcow2Image.class),
            location(Qcow2FileSystemProvider.class),
            location(AbstractPath.class), location(ProviderProbe.class)),
        ProviderProbe.class.getName()));
    List<String> modulePath = java();
    modulePath.addAll(List.of("--module-path", String.join(File.pathSeparator,
            location(Qcow2Image.class), location(Qcow2FileSystemProvider.class),
            location(AbstractPath.class),
            location(Zstd.class)),
        "--add-modules", "io.github.qcow2nio.provider",
        "-cp", location(ProviderProbe.class), ProviderProbe.class.getName()));
    for (List<String> cmd : List.of(classPath, modulePath)) {
      images.forEach(i -> cmd.add(i[0]));
      String out = run(cmd);
      String[] zlib = images.get(0);
      assertTrue(out.contains("disk " + zlib[0] + " " + zlib[1]), out);
      assertTrue(out.contains("refused " + images.get(1)[0]
          + " io.github.qcow2nio.format.error.UnsupportedImageException: "), out);
      assertTrue(out.contains("needs zstd-jni (Maven com.github.luben:zstd-jni)"), out);
    }
  }

  @Test
  void foundOnTheClassPath() throws Exception {
    List<String[]> images = images();
    List<String> cmd = java();
    cmd.addAll(List.of("-cp", String.join(File.pathSeparator, location(Qcow2Image.class),
            location(Qcow2FileSystemProvider.class),
            location(AbstractPath.class), location(Zstd.class),
            location(ProviderProbe.class)),
        ProviderProbe.class.getName()));
    images.forEach(i -> cmd.add(i[0]));
    String out = run(cmd);
    assertTrue(out.contains("provider " + Qcow2FileSystemProvider.class.getName()
        + " in the unnamed module"), out);
    for (String[] i : images) {
      assertTrue(out.contains("disk " + i[0] + " " + i[1]), out);
    }
  }
}
