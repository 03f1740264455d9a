package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.testing.Qemu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** The tool's dispatch, usage, exit status and error reporting. */
@Tag("qemu")
class MainTest {
  @TempDir Path dir;

  @Test
  void helpPrintsUsageAndSucceeds() {
    String usage = ToolRun.of("--help").out();
    assertTrue(usage.startsWith("usage: qcow2 "), usage);
    for (String command : new String[] {"info", "map", "check", "convert", "measure",
        "compare", "dd", "create", "resize", "amend", "commit", "rebase", "snapshot", "bitmap",
        "inspect", "partitions", "ls", "cat", "get", "put", "mkfs",
        "partition", "help"}) {
      assertTrue(usage.contains("\n  " + command + " "), command + " listed: " + usage);
    }
    for (String help : new String[] {"help", "--help", "-h"}) {
      ToolRun run = ToolRun.of(help);
      assertEquals(0, run.status(), help);
      assertEquals(usage, run.out(), help);
      assertEquals("", run.err(), help);
    }
    // A command's own help: its options, generated from its annotations.
    for (String[] args : new String[][] {{"info", "--help"}, {"info", "-h"}, {"help", "info"}}) {
      ToolRun run = ToolRun.of(args);
      assertEquals(0, run.status(), String.join(" ", args));
      assertTrue(run.out().startsWith("Usage: qcow2 info "), run.out());
      assertTrue(run.out().contains("--backing-chain"), run.out());
      assertEquals("", run.err());
    }
  }

  @Test
  void unknownCommandIsQemuImgsError() {
    ToolRun run = ToolRun.of("frobnicate", "x.qcow2");
    assertEquals(1, run.status());
    assertEquals("", run.out());
    assertEquals("qcow2: Command not found: frobnicate\n" + TRY, run.err());
  }

  private static final String TRY = "Try 'qcow2 --help' for more information\n";

  @Test
  void badArgumentsAreOneMessageAndTheHelpHint() {
    String[][] cases = {
        {"info", "--output=xml", "a.qcow2"}, {"--output must be used with human or json as "
            + "argument.\n"},
        {"info", "--bogus", "a.qcow2"}, {"unrecognized option '--bogus'\n" + TRY},
        {"info", "-Z", "a.qcow2"}, {"unrecognized option '-Z'\n" + TRY},
        {"info", "a.qcow2", "b.qcow2"}, {"Expecting one image file name\n" + TRY},
        {"info", "--output"}, {"missing argument for option '--output'\n" + TRY},
        {"info", "-f"}, {"missing argument for option '-f'\n" + TRY},
        {"info", "-f", "vmdk", "a.qcow2"}, {"info: unsupported format 'vmdk' (qcow2 and raw "
            + "are)\n" + TRY},
        {"map"}, {"Expecting one image file name\n" + TRY},
        {"map", "a.qcow2", "b.qcow2"}, {"Expecting one image file name\n" + TRY},
        {"map", "--backing-chain", "a.qcow2"}, {"unrecognized option '--backing-chain'\n" + TRY},
        {"map", "a.qcow2", "--max-length"}, {"missing argument for option '--max-length'\n"
            + TRY},
    };
    for (int i = 0; i < cases.length; i += 2) {
      ToolRun run = ToolRun.of(cases[i]);
      String what = String.join(" ", cases[i]);
      assertEquals(1, run.status(), what);
      assertEquals("qcow2: " + cases[i + 1][0], run.err(), what);
      assertEquals("", run.out(), what);
    }
  }

  @Test
  void badArgumentsOfTheToolsOwnCommandsNameTheCommand() {
    String[][] cases = {
        {"map", "--start-offset=-1", "a.qcow2"},
        {"map", "--max-length=lots", "a.qcow2"},
        {"map", "--start-offset=9E", "a.qcow2"},
        {"partitions"},
        {"partitions", "a.qcow2", "b.qcow2"},
        {"ls", "a.qcow2"},
        {"ls", "a.qcow2", "0:/"},
        {"cat", "a.qcow2"},
        {"cat", "a.qcow2", "1:/a", "1:/b"},
        {"get", "a.qcow2", "1:/a"},
        {"put", "a.qcow2", "1:/a"},
        {"partition", "a.qcow2", "gpt"},
        {"partition", "a.qcow2", "apm", "1M"},
        {"partition", "a.qcow2", "gpt", "-", "1M"},
        {"partition", "a.qcow2", "mbr", "1000"},
        {"partition", "a.qcow2", "mbr", "many"},
        {"mkfs", "a.qcow2", "1"},
        {"mkfs", "a.qcow2", "one", "fat32"},
        {"mkfs", "a.qcow2", "1", "ext4"},
        {"mkfs", "--label=a/b", "a.qcow2", "1", "fat32"},
    };
    for (String[] args : cases) {
      ToolRun run = ToolRun.of(args);
      String what = String.join(" ", args);
      assertEquals(1, run.status(), what);
      assertTrue(run.err().startsWith("qcow2: " + args[0] + ": "), what + ": " + run.err());
      assertTrue(run.err().endsWith("\n" + TRY), run.err());
      assertEquals(2, run.err().lines().count(), run.err());
      assertEquals("", run.out());
    }
    for (String[] args : new String[][] {{"ls", "--long", "a.qcow2", "1:/"},
        {"mkfs", "--label"}, {"partition", "a.qcow2", "gpt", "--bogus"}}) {
      ToolRun run = ToolRun.of(args);
      assertEquals(1, run.status(), String.join(" ", args));
      assertTrue(run.err().matches("qcow2: (unrecognized option|missing argument for option) "
          + "'--[a-z]+'\n" + TRY), run.err());
    }
  }

  @Test
  void missingFileIsOneLineOnStderr() {
    Path missing = dir.resolve("missing.qcow2");
    ToolRun run = ToolRun.of("info", missing.toString());
    assertEquals(1, run.status());
    assertEquals("", run.out());
    assertEquals("qcow2: Could not open '" + missing + "': No such file or directory\n",
        run.err());
  }

  @Test
  void mapOfAMissingFileIsOneLineOnStderr() {
    Path missing = dir.resolve("missing.qcow2");
    ToolRun run = ToolRun.of("map", "--output=json", missing.toString());
    assertEquals(1, run.status());
    assertEquals("", run.out());
    assertEquals("qcow2: Could not open '" + missing + "': No such file or directory\n",
        run.err());
  }

  @Test
  void brokenImageIsOneLineOnStderr() throws IOException {
    // The qcow2 magic, version 3, and then a cluster_bits of 0x7f7f7f7f.
    byte[] bytes = new byte[512];
    ByteBuffer.wrap(bytes).putInt(0, 0x514649FB).putInt(4, 3).putInt(20, 0x7f7f7f7f);
    Path broken = dir.resolve("broken.qcow2");
    Files.write(broken, bytes);
    ToolRun run = ToolRun.of("info", broken.toString());
    assertEquals(1, run.status());
    assertEquals("", run.out());
    assertTrue(run.err().startsWith("qcow2: "), run.err());
    assertTrue(run.err().contains("cluster_bits"), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertFalse(run.err().contains("Exception"), run.err());
    ToolRun map = ToolRun.of("map", broken.toString());
    assertEquals(1, map.status());
    assertEquals(run.err(), map.err());
  }

  @Test
  void brokenBackingChainIsOneLineOnStderr() throws IOException {
    Qemu.assumeAvailable();
    Path top = dir.resolve("top.qcow2");
    Qemu.img("create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "-u",
        top.toString(), "1M");
    // info alone does not need the backing file; the chain does.
    assertEquals(0, ToolRun.of("info", top.toString()).status());
    ToolRun run = ToolRun.of("info", "--backing-chain", top.toString());
    assertEquals(1, run.status());
    assertEquals("qcow2: Could not open '" + dir.resolve("base.qcow2")
        + "': No such file or directory\n", run.err());
  }

  @Test
  void backingChainLoopIsOneLineOnStderr() throws IOException {
    Qemu.assumeAvailable();
    Path loop = dir.resolve("loop.qcow2");
    Qemu.img("create", "-f", "qcow2", loop.toString(), "1M");
    Qemu.img("rebase", "-u", "-b", "loop.qcow2", "-F", "qcow2", loop.toString());
    // (qemu-img 7.2 refuses info --backing-chain here too; its map never returns.)
    for (String[] args : new String[][] {{"info", "--backing-chain", loop.toString()},
        {"map", loop.toString()}, {"map", "--output=json", loop.toString()}}) {
      ToolRun run = ToolRun.of(args);
      assertEquals(1, run.status(), String.join(" ", args));
      assertEquals("", run.out());
      assertTrue(run.err().startsWith("qcow2: ") && run.err().contains("loops back"), run.err());
      assertEquals(1, run.err().lines().count(), run.err());
    }
  }

  @Test
  void invalidFileNameIsOneLineOnStderr() {
    ToolRun run = ToolRun.of("info", "bad\u0000name.qcow2");
    assertEquals(1, run.status());
    assertTrue(run.err().startsWith("qcow2: "), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void withoutAnImageShowsTheBundledSample() throws IOException {
    Qemu.assumeAvailable();
    Path copy = dir.resolve(SampleImage.NAME);
    try (InputStream in = Main.class.getResourceAsStream("/" + SampleImage.NAME)) {
      Files.copy(in, copy);
    }
    String expected = Qemu.img("info", copy.toString())
        .replace("image: " + copy, "image: " + SampleImage.NAME);
    String note = "qcow2: no image given; showing the sample image bundled in qcow2.jar "
        + "(sample.qcow2)\n";
    for (String[] args : new String[][] {{}, {"info"}}) {
      ToolRun run = ToolRun.of(args);
      assertEquals(0, run.status());
      assertEquals(note, run.err());
      assertEquals(expected, run.out());
    }
    String expectedJson = Qemu.img("info", "--output=json", copy.toString())
        .replace("\"filename\": \"" + copy + "\"", "\"filename\": \"" + SampleImage.NAME + "\"");
    assertEquals(expectedJson, ToolRun.of("info", "--output=json").out());
  }

  @Test
  void theSampleHasWhatItsReadmePromises() throws IOException {
    Qemu.assumeAvailable();
    Path copy = dir.resolve(SampleImage.NAME);
    try (InputStream in = Main.class.getResourceAsStream("/" + SampleImage.NAME)) {
      Files.copy(in, copy);
    }
    Qemu.img("check", copy.toString());
    String map = Qemu.img("map", "--output=json", copy.toString());
    assertTrue(map.contains("\"zero\": false, \"data\": true, \"offset\""), map);
    assertTrue(map.contains("\"present\": true, \"zero\": true"), map);
    assertTrue(map.contains("\"data\": true}"), map); // the compressed cluster has no offset
    assertTrue(Qemu.img("snapshot", "-l", copy.toString()).contains("installed"));
    assertFalse(Qemu.img("info", copy.toString()).contains("backing file"));
  }

  @Test
  void corruptBitOpensReadOnly() throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("c.qcow2");
    Qemu.img("create", "-f", "qcow2", img.toString(), "1M");
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {2}), 79);
    }
    ToolRun run = ToolRun.of("info", img.toString());
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("    corrupt: true\n"), run.out());
  }
}
