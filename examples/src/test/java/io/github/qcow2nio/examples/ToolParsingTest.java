package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as qemu-img's getopt reads it (clustered and attached short options, both
 * long forms, options among operands, {@code --}, the last repeated option winning, no
 * {@code @file} expansion), the version and help, and the shared pieces: sizes, image options,
 * cache modes and the progress line. Runs without qemu-img.
 */
class ToolParsingTest {
  private static final String TRY = "Try 'qcow2 --help' for more information\n";

  @TempDir Path dir;

  private Path sample() throws IOException {
    Path copy = dir.resolve(SampleImage.NAME);
    try (InputStream in = Main.class.getResourceAsStream("/" + SampleImage.NAME)) {
      Files.copy(in, copy);
    }
    return copy;
  }

  @Test
  void versionNamesThisToolAndItsBuild() {
    for (String[] args : new String[][] {{"--version"}, {"-V"}, {"-T", "foo", "-V"}}) {
      ToolRun run = ToolRun.ok(args);
      assertEquals(ToolVersion.line() + "\n", run.out());
      assertTrue(run.out().startsWith("qcow2 version "), run.out());
      assertFalse(ToolVersion.version().equals("unknown"), "filtered from the pom");
      assertTrue(run.out().contains("qemu-img 7.2"), run.out());
    }
  }

  @Test
  void helpIsGeneratedForEveryCommand() {
    String top = ToolRun.ok("--help").out();
    assertTrue(top.contains("\nCommand syntax:\n"), top);
    assertTrue(top.contains("  -V, --version"), top);
    String[][] expected = {
        {"info", "--backing-chain", "--image-opts", "-U, --force-share", "--output=ofmt"},
        {"map", "--start-offset=offset", "--max-length=len"},
        {"create", "-b=backing_file", "-F=backing_fmt", "-o=options", "-u", "-q"},
        {"resize", "--shrink", "--preallocation=prealloc", "-q", "filename [+ | -]size"},
        {"amend", "-o=options", "-p", "-q", "-t=cache", "--force", "--object=objectdef"},
        {"commit", "-b=base", "-d", "-r=rate_limit", "-t=cache", "-p", "-q", "filename"},
        {"rebase", "-b=backing_file", "-F=backing_fmt", "-u", "-c", "-U", "-T=src_cache"},
        {"check", "-r=leaks|all", "-T=src_cache", "--image-opts", "-q"},
        {"convert", "-O=output_fmt", "-S=sparse_size", "-B=backing_file", "-p", "-t=cache"},
        {"measure", "--size=N", "-l=snapshot_param", "--output=ofmt"},
        {"compare", "-s", "-F=fmt", "-p", "-T=src_cache"},
        {"dd", "-O=output_fmt", "-f=fmt", "--image-opts", "-U, --force-share", "bs=block_size"},
        {"snapshot", "-l", "-a=snapshot", "-c=snapshot", "-d=snapshot", "--image-opts",
            "-U, --force-share", "--object=objectdef"},
        {"bitmap", "--add", "--remove", "--clear", "--enable", "--disable", "--merge=SOURCE",
            "--source-file=source_file", "--source-format=source_fmt", "--granularity=granularity",
            "--image-opts"},
        {"ls", "-l", "-R"},
        {"mkfs", "--label=LABEL"},
    };
    for (String[] e : expected) {
      String help = ToolRun.ok(e[0], "--help").out();
      assertEquals(help, ToolRun.ok("help", e[0]).out());
      assertTrue(help.startsWith("Usage: qcow2 " + e[0] + " "), help);
      assertTrue(top.contains("  qcow2 " + e[0] + " "), "in Command syntax: " + e[0]);
      for (int i = 1; i < e.length; i++) {
        assertTrue(help.contains(e[i]), e[0] + " help names " + e[i] + ":\n" + help);
      }
    }
    ToolRun unknown = ToolRun.of("help", "frob");
    assertEquals(1, unknown.status());
    assertTrue(unknown.err().startsWith("qcow2: ") && unknown.err().endsWith(TRY),
        unknown.err());
  }

  @Test
  void optionsAloneAreNotEnough() {
    ToolRun run = ToolRun.of("-T", "foo");
    assertEquals(1, run.status());
    assertEquals("qcow2: Not enough arguments\n" + TRY, run.err());
  }

  @Test
  void longOptionsTakeTheirValueEitherWayAndTheLastOneWins() throws IOException {
    String image = sample().toString();
    String json = ToolRun.ok("info", "--output=json", image).out();
    assertTrue(json.startsWith("{\n"), json);
    assertEquals(json, ToolRun.ok("info", "--output", "json", image).out());
    assertEquals(json, ToolRun.ok("info", image, "--output=json").out());
    assertEquals(json, ToolRun.ok("info", "--output=human", "--output=json", image).out());
    assertEquals(json, ToolRun.ok("info", "-fqcow2", "--output=json", image).out());
    assertEquals(json, ToolRun.ok("info", "-Uf", "qcow2", "--output=json", image).out());
  }

  @Test
  void doubleDashEndsOptionsAndAtFilesAreNames() throws IOException {
    ToolRun run = ToolRun.of("info", "--", "-x.qcow2");
    assertEquals(1, run.status());
    assertEquals("qcow2: Could not open '-x.qcow2': No such file or directory\n", run.err());
    Files.writeString(dir.resolve("args"), "--version\n");
    ToolRun at = ToolRun.of("info", "@" + dir.resolve("args"));
    assertEquals(1, at.status());
    assertEquals("qcow2: Could not open '@" + dir.resolve("args")
        + "': No such file or directory\n", at.err());
  }

  @Test
  void imageOptsNameTheFileAndItsDriver() throws IOException {
    String image = sample().toString();
    String plain = ToolRun.ok("info", image).out();
    assertEquals(plain, ToolRun.ok("info", "--image-opts", "driver=qcow2,file.filename="
        + image).out());
    assertEquals(plain, ToolRun.ok("info", "--image-opts", "file.driver=file,file.filename="
        + image).out());
    String[][] refused = {
        {"info", "-f", "qcow2", "--image-opts", "driver=qcow2,file.filename=" + image},
        {"--image-opts and --format are mutually exclusive"},
        {"info", "--image-opts", "driver=qcow2,file.filename=" + image + ",bogus=1"},
        {"Could not open 'driver=qcow2,file.filename=" + image + ",bogus=1': Block format "
            + "'qcow2' does not support the option 'bogus'"},
        {"map", "--image-opts", "driver=vmdk,file.filename=" + image},
        {"Could not open 'driver=vmdk,file.filename=" + image + "': Unknown driver 'vmdk' "
            + "(qcow2 and raw are supported)"},
        {"info", "--image-opts", ",driver=qcow2"}, {"Invalid option list: ,driver=qcow2"},
    };
    for (int i = 0; i < refused.length; i += 2) {
      ToolRun run = ToolRun.of(refused[i]);
      assertEquals(1, run.status());
      assertEquals("qcow2: " + refused[i + 1][0] + "\n", run.err());
    }
  }

  @Test
  void sizesReadAsQemuImgReadsThem() throws ToolError {
    // Observed with qemu-img 7.2 create: what it takes and the byte count it makes of it.
    Object[][] taken = {{"1M", 1L << 20}, {"1m", 1L << 20}, {"1.5G", 3L << 29},
        {"1.3k", 1331L}, {"1.k", 1024L}, {"100b", 100L}, {"1B", 1L}, {"0x100", 256L},
        {"+1M", 1L << 20}, {" 1M", 1L << 20}, {"08", 8L}, {"007k", 7168L},
        {"1.0000000001k", 1024L}, {"0x1k", 1024L}, {"7E", 7L << 60}};
    for (Object[] t : taken) {
      assertEquals(t[1], QemuSize.parse((String) t[0]).bytes().longValueExact(), (String) t[0]);
    }
    for (String bad : new String[] {"1.5", "0.5", "1.5b", ".5k", "1 M", "1M ", "1e3", "1Kb",
        "0x1.8k", "-1", "", "k", "1x"}) {
      assertNull(QemuSize.parse(bad), bad);
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    ToolError tooBig = assertThrows(ToolError.class, () -> QemuSize.imageSize("16E", e));
    assertEquals("qcow2: Invalid image size specified. Must be between 0 and "
        + "9223372036854775807.\n", tooBig.text());
    assertThrows(ToolError.class, () -> QemuSize.imageSize("15.99E", e));
    assertEquals(1024, QemuSize.imageSize("0x1k", e));
    assertEquals("qcow2: warning: Using a multiplier suffix on hex numbers is deprecated: "
        + "0x1k\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void cacheModesAreCheckedAsQemuImgChecksThem() throws ToolError {
    CacheOptions.Source source = new CacheOptions.Source();
    CacheOptions.Target target = new CacheOptions.Target();
    for (String mode : new String[] {"none", "writeback", "writethrough", "directsync",
        "unsafe"}) {
      source.sourceCache = mode;
      target.cache = mode;
      source.check();
      target.check();
    }
    source.sourceCache = "foo";
    target.cache = "foo";
    assertEquals("qcow2: Invalid source cache option: foo\n",
        assertThrows(ToolError.class, source::check).text());
    assertEquals("qcow2: Invalid cache option: foo\n",
        assertThrows(ToolError.class, target::check).text());
  }

  @Test
  void progressLineIsQemuImgs() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ProgressOption p = new ProgressOption();
    p.progress = true;
    ProgressPrinter printer = p.printer(out, false, 1.0);
    long total = 1000;
    for (long done = 0; done <= total; done += 4) {
      printer.progress(done, total);
    }
    printer.finish();
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("    (0.00/100%)\r    (1.20/100%)\r    (2.40/100%)\r"), text);
    // As qemu-img convert -p ends: 100% when the work is done, once more, and the newline.
    assertTrue(text.endsWith("    (99.60/100%)\r    (100.00/100%)\r    (100.00/100%)\r\n"),
        text);
    for (String line : text.substring(0, text.length() - 1).split("\r")) {
      assertTrue(line.matches(" {4}\\(\\d{1,3}\\.\\d\\d/100%\\)"), line);
    }
    // Quiet, or no -p: nothing at all.
    ByteArrayOutputStream none = new ByteArrayOutputStream();
    PrintStream quiet = new PrintStream(none, true, StandardCharsets.UTF_8);
    ProgressPrinter q = p.printer(quiet, true, 1.0);
    q.progress(1, 2);
    q.finish();
    p.progress = false;
    p.printer(quiet, false, 1.0).finish();
    assertEquals(0, none.size());
  }

  @Test
  void resizeTakesItsLastArgumentAsTheSize() {
    assertEquals(java.util.List.of("resize", "x", "--", "-1G"),
        java.util.List.of(ResizeCommand.sizeLast(new String[] {"resize", "x", "-1G"})));
    assertEquals(java.util.List.of("-T", "t", "resize", "--shrink", "x", "--", "-1G"),
        java.util.List.of(ResizeCommand.sizeLast(
            new String[] {"-T", "t", "resize", "--shrink", "x", "-1G"})));
    assertEquals(java.util.List.of("resize", "x", "--", "-1G"),
        java.util.List.of(ResizeCommand.sizeLast(new String[] {"resize", "x", "--", "-1G"})));
    assertEquals(java.util.List.of("info", "x", "-1G"),
        java.util.List.of(ResizeCommand.sizeLast(new String[] {"info", "x", "-1G"})));
    assertEquals(java.util.List.of("resize", "--help"),
        java.util.List.of(ResizeCommand.sizeLast(new String[] {"resize", "--help"})));
    assertEquals(java.util.List.of("resize"),
        java.util.List.of(ResizeCommand.sizeLast(new String[] {"resize", "-f"})));
  }
}
