package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.HeaderPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qcow2 inspect}: the report in both layouts, and the exit status of each verdict. */
class InspectCommandTest {
  @TempDir Path dir;

  @Test
  void aPlainImagePassesWithStatusZero() throws IOException {
    Path image = image("plain.qcow2");
    ToolRun run = ToolRun.ok("inspect", image.toString());
    assertEquals("image: " + image + "\n"
        + "format: qcow2\n"
        + "signatures: qcow2\n"
        + "version: 3\n"
        + "virtual size: 1048576\n"
        + "cluster size: 65536\n"
        + "backing file: none\n"
        + "data file: none\n"
        + "encryption: none\n"
        + "dirty: no\n"
        + "corrupt: no\n"
        + "unknown features: incompatible 0x0, compatible 0x0, autoclear 0x0\n"
        + "unknown extensions: none\n"
        + "snapshots: 0\n"
        + "bitmaps: 0\n"
        + "policy: untrusted\n"
        + "verdict: passes\n", run.out());
  }

  @Test
  void aHostileBackingNameIsRefusedWithStatusTwo() throws IOException {
    Path image = image("upload.qcow2");
    HeaderPatch.nameBacking(image, "/etc/passwd", null);
    ToolRun run = ToolRun.of("inspect", "--output=json", image.toString());
    assertEquals(InspectCommand.REFUSED, run.status());
    assertEquals("", run.err());
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertEquals("/etc/passwd", j.get("backing-filename").asText());
    assertTrue(j.get("backing-filename-format") == null);
    assertEquals("untrusted", j.get("policy").asText());
    assertEquals(false, j.get("passes").asBoolean());
    assertEquals("backing file '/etc/passwd' refused by backingPolicy=none: no named file is "
        + "opened", j.get("violations").get(0).asText());
    assertTrue(run.out().startsWith("{\n    \"filename\": "), run.out());

    assertEquals(0, ToolRun.of("inspect", "--policy=trusted", image.toString()).status());
    ToolRun confined = ToolRun.of("inspect", "--policy=confined", "--confine-to",
        dir.toString(), image.toString());
    assertEquals(InspectCommand.REFUSED, confined.status());
    assertTrue(confined.out().contains("verdict: refused\n  backing file '/etc/passwd' refused "
        + "by backingPolicy=confined"), confined.out());
    assertTrue(confined.out().contains("backing format: not named (a reader would probe)\n"),
        confined.out());
  }

  @Test
  void errorsExitOneInQemuImgsWords() throws IOException {
    ToolRun missing = ToolRun.of("inspect", dir.resolve("nope.qcow2").toString());
    assertEquals(1, missing.status());
    assertEquals("qcow2: Could not open '" + dir.resolve("nope.qcow2")
        + "': No such file or directory\n", missing.err());
    ToolRun policy = ToolRun.of("inspect", "--policy=confined", image("x.qcow2").toString());
    assertEquals(1, policy.status());
    assertTrue(policy.err().contains("--policy=confined needs --confine-to=DIR"), policy.err());
    Path bad = Files.write(dir.resolve("bad.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0,
        0, 0, 3});
    ToolRun corrupt = ToolRun.of("inspect", bad.toString());
    assertEquals(1, corrupt.status());
    assertTrue(corrupt.err().startsWith("qcow2: "), corrupt.err());
  }

  @Test
  void otherFormatsAreNamed() throws IOException {
    byte[] b = new byte[4096];
    b[510] = 0x55;
    b[511] = (byte) 0xaa;
    Path raw = Files.write(dir.resolve("disk.img"), b);
    ToolRun run = ToolRun.ok("inspect", raw.toString());
    assertEquals("image: " + raw + "\nformat: raw\nsignatures: mbr\nsize: 4096\n"
        + "policy: untrusted\nverdict: passes\n", run.out());
  }

  private Path image(String name) throws IOException {
    Path p = dir.resolve(name);
    Qcow2Image.create(p, CreateOptions.builder(1 << 20).build()).close();
    return p;
  }
}
