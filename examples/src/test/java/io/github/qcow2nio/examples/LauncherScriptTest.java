package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code qcow2} launcher (src/main/sh/qcow2), run by {@code sh} with a stand-in JVM that
 * prints the arguments it was given: the archive is offered only when it is there and newer
 * than the jar, the jar is found beside the script (also through a symbolic link), operands
 * pass through untouched, C1 alone only for the metadata commands, and QCOW2_JAVA_OPTS comes
 * after the launcher's own options. The real JVM with the real archive is exercised by the
 * build itself (target/qcow2) and by the bench.
 */
class LauncherScriptTest {
  private static final Path SCRIPT = Path.of("src/main/sh/qcow2");

  @TempDir Path dir;
  private Path bin;
  private Path jdk;

  @BeforeEach
  void layout() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh");
    bin = Files.createDirectories(dir.resolve("target dir"));
    Files.copy(SCRIPT, bin.resolve("qcow2"));
    Files.writeString(bin.resolve("qcow2.jar"), "jar");
    jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    assertTrue(java.toFile().setExecutable(true));
  }

  private List<String> launch(Path script, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("JAVA_HOME", jdk.getParent().toString());
    pb.environment().remove("QCOW2_JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher hangs");
    assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
    String text = new String(out, StandardCharsets.UTF_8);
    return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0,
        text.split("\n", -1).length - 1);
  }

  private String jar() throws IOException {
    return bin.toRealPath().resolve("qcow2.jar").toString();
  }

  private void archive(long jarAgeSeconds) throws IOException {
    Path jsa = bin.resolve("qcow2.jsa");
    Files.writeString(jsa, "archive");
    long now = System.currentTimeMillis();
    Files.setLastModifiedTime(bin.resolve("qcow2.jar"),
        FileTime.fromMillis(now - jarAgeSeconds * 1000));
    Files.setLastModifiedTime(jsa, FileTime.fromMillis(now));
  }

  @Test
  void withoutAnArchiveItIsPlainJavaJar() throws Exception {
    assertEquals(List.of("-jar", jar(), "convert", "-O", "raw", "a b.qcow2", "c'd\"e $x"),
        launch(bin.resolve("qcow2"), Map.of(), "convert", "-O", "raw", "a b.qcow2",
            "c'd\"e $x"));
  }

  @Test
  void aFreshArchiveIsOfferedAndMetadataCommandsStopAtC1() throws Exception {
    archive(60);
    String jsa = bin.toRealPath().resolve("qcow2.jsa").toString();
    assertEquals(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto",
            "-XX:TieredStopAtLevel=1", "-jar", jar(), "info", "--output=json", "x y.qcow2"),
        launch(bin.resolve("qcow2"), Map.of(), "info", "--output=json", "x y.qcow2"));
    // No command: info on the bundled sample, a metadata command too.
    assertEquals(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-jar", jar()), launch(bin.resolve("qcow2"), Map.of()));
    // Commands that move data keep C2.
    assertEquals(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto", "-jar", jar(),
        "convert", "a", "b"), launch(bin.resolve("qcow2"), Map.of(), "convert", "a", "b"));
  }

  @Test
  void anArchiveOlderThanTheJarIsNotOffered() throws Exception {
    archive(-60);
    assertEquals(List.of("-XX:TieredStopAtLevel=1", "-jar", jar(), "info", "a"),
        launch(bin.resolve("qcow2"), Map.of(), "info", "a"));
  }

  @Test
  void theJarIsFoundBesideTheScriptThroughALink() throws Exception {
    Path link = Files.createDirectories(dir.resolve("elsewhere")).resolve("qcow2");
    Files.createSymbolicLink(link, bin.resolve("qcow2"));
    assertEquals(List.of("-jar", jar(), "map", "a"), launch(link, Map.of(), "map", "a"));
  }

  @Test
  void userOptionsComeAfterTheLaunchersSoTheyWin() throws Exception {
    archive(60);
    String jsa = bin.toRealPath().resolve("qcow2.jsa").toString();
    assertEquals(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto",
            "-XX:TieredStopAtLevel=1", "-Xmx64m", "-XX:TieredStopAtLevel=4", "-jar", jar(),
            "info", "*"),
        launch(bin.resolve("qcow2"), Map.of("QCOW2_JAVA_OPTS",
            "-Xmx64m  -XX:TieredStopAtLevel=4"), "info", "*"));
  }
}
