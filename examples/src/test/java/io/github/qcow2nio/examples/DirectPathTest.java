package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool's entry point ({@link Main#run}) runs the metadata commands' lines on the direct
 * path and prints, for images, errors of every kind and odd options, exactly what picocli's path
 * prints, with the same exit status; it hands help and every line it does not read to picocli,
 * which then says what it always said; and on the direct path picocli is not loaded at all.
 */
class DirectPathTest {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  @BeforeEach
  void images() throws IOException {
    try (InputStream in = Main.class.getResourceAsStream("/" + SampleImage.NAME)) {
      Files.copy(in, dir.resolve("s.qcow2"));
    }
    Files.write(dir.resolve("raw.img"), new byte[1 << 16]);
    Files.writeString(dir.resolve("text.txt"), "not an image\n");
  }

  private String[] line(String... words) {
    String[] line = new String[words.length];
    for (int i = 0; i < words.length; i++) {
      line[i] = words[i].replace("@", dir.toString());
    }
    return line;
  }

  private static Run main(String[] line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = Main.run(line, o, e);
    }
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** The line run as before the direct path: picocli's tree for it, whatever it holds. */
  private static Run picocli(String[] line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      String[] args = line.length == 0 ? new String[] {"info"} : line;
      picocli.CommandLine cli = Tool.forLine(o, e, args);
      status = cli.execute(args);
      cli.getOut().flush();
      cli.getErr().flush();
    }
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static boolean direct(String[] line) {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return DirectCommands.parse(line.length == 0 ? new String[] {"info"} : line,
        new ToolIo(sink, sink)) != null;
  }

  @Test
  void theDirectPathPrintsWhatPicocliPathPrints() {
    String[][] lines = {
        {}, {"info"}, {"info", "@/s.qcow2"}, {"info", "--output=json", "@/s.qcow2"},
        {"info", "--output", "json", "--backing-chain", "@/s.qcow2"},
        {"info", "-U", "--force-share", "@/s.qcow2"}, {"info", "@/absent.qcow2"},
        {"info", "--output=xml", "@/s.qcow2"}, {"info", "-f", "vmdk", "@/s.qcow2"},
        {"info", "@/s.qcow2", "@/s.qcow2"}, {"info", "-f", "raw", "@/s.qcow2"},
        {"info", "-fqcow2", "@/raw.img"}, {"info", "@/text.txt"}, {"info", "@/raw.img"},
        {"info", "--image-opts", "driver=qcow2,file.filename=@/s.qcow2"},
        {"info", "--image-opts", "-f", "qcow2", "@/s.qcow2"},
        {"info", "--image-opts", "driver=vmdk,file.filename=@/s.qcow2"},
        {"info", "--object", "secret,id=s0,data=abc", "@/s.qcow2"},
        {"info", "--object", "bogus", "@/s.qcow2"},
        {"info", "--object=secret,id=s0,data=a", "--object=secret,id=s0,data=b", "@/s.qcow2"},
        {"info", "--backing-policy=none", "@/s.qcow2"},
        {"info", "--backing-policy=confined", "@/s.qcow2"},
        {"info", "--confine-to", "@", "@/s.qcow2"}, {"info", "--backing-policy=x", "@/s.qcow2"},
        {"info", "--", "@/s.qcow2"}, {"info", "@/dir-that-is-not/x.qcow2"},
        {"map", "@/s.qcow2"}, {"map", "--output=json", "@/s.qcow2"},
        {"map", "--start-offset=64k", "--max-length", "1M", "--output=json", "@/s.qcow2"},
        {"map", "--start-offset=x", "@/s.qcow2"}, {"map"}, {"map", "@/raw.img"},
        {"map", "-f", "raw", "--output=json", "@/raw.img"}, {"map", "@/absent.qcow2"},
        {"check", "@/s.qcow2"}, {"check", "--output=json", "@/s.qcow2"},
        {"check", "-q", "@/s.qcow2"}, {"check", "-r", "bogus", "@/s.qcow2"},
        {"check", "-U", "-r", "leaks", "@/s.qcow2"}, {"check", "-T", "bogus", "@/s.qcow2"},
        {"check", "-T", "none", "-Uq", "@/s.qcow2"}, {"check", "@/raw.img"},
        {"check", "-f", "raw", "@/raw.img"}, {"check", "@/absent.qcow2"}, {"check"},
        {"measure", "--size", "1G"}, {"measure", "--size", "1G", "-O", "qcow2"},
        {"measure", "-O", "qcow2", "@/s.qcow2"},
        {"measure", "--output=json", "-O", "qcow2", "-o", "cluster_size=4k", "--size", "16M"},
        {"measure"}, {"measure", "--size", "1G", "@/s.qcow2"},
        {"measure", "-O", "vmdk", "--size", "1M"}, {"measure", "-o", "bogus=1", "--size", "1M"},
        {"measure", "--size", "12q"}, {"measure", "-f", "raw", "-O", "qcow2", "@/raw.img"},
        {"measure", "-l", "nosuch", "-O", "qcow2", "@/s.qcow2"}};
    int failures = 0;
    for (String[] words : lines) {
      String[] line = line(words);
      assertTrue(direct(line), () -> "read directly: " + String.join(" ", words));
      Run direct = main(line);
      Run before = picocli(line);
      assertEquals(before, direct, String.join(" ", words));
      failures += direct.status() == 0 ? 0 : 1;
    }
    // Failures of many kinds are among them, not only successes.
    assertTrue(failures >= 25, "failing lines: " + failures);
  }

  @Test
  void helpErrorsAndOddFormsGoToPicocliUnchanged() {
    String[][] lines = {
        {"info", "--help"}, {"info", "-h"}, {"map", "-Uh", "@/s.qcow2"}, {"check", "--help"},
        {"measure", "-h"}, {"info", "-f"}, {"measure", "--output"}, {"check", "--bogus"},
        {"info", "-Z", "@/s.qcow2"}, {"map", "--out=json", "@/s.qcow2"},
        {"info", "-f", "-U", "@/s.qcow2"}, {"info", "--image-opts=true", "@/s.qcow2"},
        {"info", "-U=true", "@/s.qcow2"}, {"info", "-", "@/s.qcow2"}, {"info", ""},
        {"info", "-f", "--", "@/s.qcow2"}, {"map", "--backing-chain", "@/s.qcow2"},
        {"check", "--size", "1G"}, {"info", "-V"}, {"--help"}, {"help", "info"},
        {"-T", "x", "info", "@/s.qcow2"}, {"frobnicate"}};
    int errors = 0;
    for (String[] words : lines) {
      String[] line = line(words);
      assertFalse(direct(line), () -> "declined: " + String.join(" ", words));
      Run run = main(line);
      assertEquals(picocli(line), run, String.join(" ", words));
      assertFalse(run.out().isEmpty() && run.err().isEmpty(), String.join(" ", words));
      errors += run.status() == 0 ? 0 : 1;
    }
    assertTrue(errors >= 12, "usage errors among them: " + errors);
  }

  @Test
  void aDefectOnTheDirectPathIsReportedAsPicocliReportsIt() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    // Nothing the tool throws is unexpected, so make one: a command's own defect.
    IllegalStateException defect = new IllegalStateException("a defect");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    defect.printStackTrace(new PrintStream(expected, true, StandardCharsets.UTF_8));
    assertThrows(IllegalStateException.class, () -> FailureReport.print(defect, "info", e));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    assertEquals(1, DirectCommands.failure(defect, "info", e));
    assertEquals(expected.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The class path of this test run, picocli's jar left out. */
  private static URL[] classPathWithoutPicocli() throws IOException {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    boolean dropped = false;
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      if (Path.of(entry).getFileName().toString().startsWith("picocli")) {
        dropped = true;
        continue;
      }
      urls.add(Path.of(entry).toUri().toURL());
    }
    assertTrue(dropped, "picocli is on the test class path: " + cp);
    return urls.toArray(URL[]::new);
  }

  /** Loads the tool anew, without picocli: any use of it on the direct path cannot link. */
  private static final class WithoutPicocli extends URLClassLoader {
    WithoutPicocli(URL[] urls) {
      super(urls, ClassLoader.getPlatformClassLoader());
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }
  }

  @Test
  void theDirectPathRunsWithoutPicocliOnTheClassPath() throws Exception {
    try (WithoutPicocli loader = new WithoutPicocli(classPathWithoutPicocli())) {
      Class<?> main = loader.loadClass(Main.class.getName());
      assertFalse(main.getClassLoader() == Main.class.getClassLoader());
      Method run = main.getMethod("run", String[].class, PrintStream.class, PrintStream.class);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
      for (String[] words : new String[][] {{"info", "--output=json", "@/s.qcow2"},
          {"map", "--output=json", "@/s.qcow2"}, {"check", "@/s.qcow2"},
          {"measure", "-O", "qcow2", "@/s.qcow2"}, {"info", "--output=xml", "@/s.qcow2"}}) {
        Object status = run.invoke(null, line(words), o, e);
        assertEquals(picocli(line(words)).status(), status, String.join(" ", words));
      }
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"virtual-size\": "));
      assertEquals("qcow2: --output must be used with human or json as argument.\n",
          err.toString(StandardCharsets.UTF_8));
      assertFalse(loader.loaded(Tool.class.getName()));
      assertFalse(loader.loaded(ToolErrors.class.getName()));
      // The control: a line for picocli needs the jar this loader lacks.
      InvocationTargetException help = assertThrows(InvocationTargetException.class,
          () -> run.invoke(null, new String[] {"info", "--help"}, o, e));
      assertInstanceOf(NoClassDefFoundError.class, help.getCause());
      assertTrue(loader.loaded(Tool.class.getName()));
    }
  }
}
