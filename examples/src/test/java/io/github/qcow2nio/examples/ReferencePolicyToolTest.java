package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.HeaderPatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --backing-policy} on the commands that read a whole chain: an upload naming a host file
 * as its backing file gives that file's bytes away when followed, and is refused, with the
 * policy named, when the policy says so.
 */
class ReferencePolicyToolTest {
  @TempDir Path dir;
  Path secret;
  Path uploads;
  Path upload;

  @BeforeEach
  void upload() throws IOException {
    secret = Files.writeString(dir.resolve("secret.txt"), "password");
    uploads = Files.createDirectories(dir.resolve("uploads"));
    upload = uploads.resolve("upload.qcow2");
    Qcow2Image.create(upload, CreateOptions.builder(1 << 20).build()).close();
    HeaderPatch.nameBacking(upload, secret.toString(), "raw");
  }

  @Test
  void followingTheNameReadsTheHostFile() throws IOException {
    Path out = dir.resolve("out.raw");
    ToolRun.ok("convert", "-O", "raw", upload.toString(), out.toString());
    assertEquals("password", new String(Files.readAllBytes(out), 0, 8, StandardCharsets.UTF_8));
  }

  @Test
  void convertMapMeasureAndDdRefuseUnderNoneAndConfined() {
    Path out = dir.resolve("refused.raw");
    String refused = "backing file '" + secret + "' refused by backingPolicy=";
    String[][] runs = {
        {"convert", "--backing-policy=none", "-O", "raw", upload.toString(), out.toString()},
        {"convert", "--backing-policy=confined", "--confine-to", uploads.toString(), "-O", "raw",
            upload.toString(), out.toString()},
        {"map", "--backing-policy=none", upload.toString()},
        {"measure", "--backing-policy=none", "-O", "qcow2", upload.toString()},
        {"dd", "--backing-policy=none", "if=" + upload, "of=" + out},
    };
    for (String[] args : runs) {
      ToolRun run = ToolRun.of(args);
      assertEquals(1, run.status(), String.join(" ", args) + ": " + run.err());
      assertTrue(run.err().contains(refused), String.join(" ", args) + ": " + run.err());
      assertEquals("", run.out(), String.join(" ", args));
    }
    assertFalse(Files.exists(out) && contains(out, "password"), "no secret bytes written");
  }

  @Test
  void compareRefusesWithItsOwnErrorStatus() {
    ToolRun run = ToolRun.of("compare", "--backing-policy=none", upload.toString(),
        upload.toString());
    assertEquals(2, run.status(), run.err());
    assertTrue(run.err().contains("refused by backingPolicy=none"), run.err());
  }

  @Test
  void confineToGoesWithConfined() {
    ToolRun run = ToolRun.of("map", "--confine-to", uploads.toString(), upload.toString());
    assertEquals(1, run.status());
    assertTrue(run.err().contains("--confine-to goes with --backing-policy=confined"), run.err());
    run = ToolRun.of("map", "--backing-policy=sometimes", upload.toString());
    assertEquals(1, run.status());
    assertTrue(run.err().contains("Unknown backing policy 'sometimes'"), run.err());
  }

  private static boolean contains(Path file, String text) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
    } catch (IOException e) {
      return false;
    }
  }
}
