package io.github.qcow2nio.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.ext4.testing.Golden;
import io.github.qcow2nio.ext4.testing.ProviderProbe;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found both ways a user deploys it, each in a JVM of its own: on the class path through
 * META-INF/services, and on the module path through module-info, exporting only its API.
 */
class ModulePathTest {
  @TempDir Path dir;

  private static String location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), command + "\n" + out);
    return out;
  }

  private Path image() throws Exception {
    return Files.write(dir.resolve("golden.img"), Golden.image("ext4-1k"));
  }

  private static List<String> java() {
    return new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto"));
  }

  @Test
  void foundOnTheModulePath() throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of("--module-path", location(Ext4FileSystemProvider.class),
        "--add-modules", "io.github.qcow2nio.ext4",
        "-cp", location(ProviderProbe.class), ProviderProbe.class.getName(),
        image().toString()));
    String out = run(cmd);
    assertTrue(out.contains("provider " + Ext4FileSystemProvider.class.getName()
        + " in module io.github.qcow2nio.ext4"), out);
    assertTrue(out.contains("package io.github.qcow2nio.ext4 exported"), out);
    assertTrue(out.contains("package io.github.qcow2nio.ext4.read internal"), out);
    assertTrue(out.contains("package io.github.qcow2nio.ext4.disk internal"), out);
    assertTrue(out.contains("hello hello, golden ext4"), out);
  }

  @Test
  void foundOnTheClassPath() throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of("-cp", location(Ext4FileSystemProvider.class) + File.pathSeparator
        + location(ProviderProbe.class), ProviderProbe.class.getName(), image().toString()));
    String out = run(cmd);
    assertTrue(out.contains("provider " + Ext4FileSystemProvider.class.getName()
        + " in the unnamed module"), out);
    assertTrue(out.contains("hello hello, golden ext4"), out);
  }
}
