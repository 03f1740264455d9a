package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up path ({@link Tool#forLine}, one command built) says and does exactly what the
 * whole tree ({@link Tool#commandLine}) does: the same stdout, stderr and exit status for every
 * command, on help, usage errors, option errors, missing files, operands spelled like other
 * commands and a real image; and the tree is built whenever the line does not start with a
 * command's name.
 */
class LazyDispatchTest {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private static Run run(boolean whole, Path cwd, String... line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      String[] args = new String[line.length];
      for (int i = 0; i < line.length; i++) {
        args[i] = line[i].replace("@", cwd.toString());
      }
      picocli.CommandLine cli = whole ? Tool.commandLine(o, e) : Tool.forLine(o, e, args);
      status = cli.execute(args);
      cli.getOut().flush();
      cli.getErr().flush();
    }
    // Each side works in its own directory: name it the same in both.
    return new Run(status, out.toString(StandardCharsets.UTF_8).replace(cwd.toString(), "@"),
        err.toString(StandardCharsets.UTF_8).replace(cwd.toString(), "@"));
  }

  private static Set<String> treeCommands() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Tool.commandLine(sink, sink).getSubcommands().keySet();
  }

  @Test
  void everyCommandSaysTheSameBuiltAloneAsInTheTree() throws IOException {
    Set<String> commands = treeCommands();
    assertTrue(commands.size() > 20, commands.toString());
    int compared = 0;
    for (String name : commands) {
      List<String[]> lines = new ArrayList<>();
      lines.add(new String[] {name, "--help"});
      lines.add(new String[] {name});
      lines.add(new String[] {name, "--bogus"});
      lines.add(new String[] {name, "-Z", "@/a.img"});
      lines.add(new String[] {name, "@/absent.qcow2"});
      lines.add(new String[] {name, "@/absent.qcow2", "@/absent2.qcow2", "1M"});
      // Operands that are other commands' names stay operands.
      lines.add(new String[] {name, "info", "map"});
      lines.add(new String[] {name, "--", "-x"});
      for (String[] line : lines) {
        Path a = Files.createDirectories(dir.resolve(name + compared + "a"));
        Path b = Files.createDirectories(dir.resolve(name + compared + "b"));
        Run whole = run(true, a, line);
        Run alone = run(false, b, line);
        assertEquals(whole, alone, String.join(" ", line));
        compared++;
      }
    }
    assertTrue(compared >= 160, "lines compared: " + compared);
  }

  @Test
  void aRealImageGivesTheSameInfoAndCheck() throws IOException {
    for (String[] line : new String[][] {{"info", "@/s.qcow2"}, {"info", "--output=json",
        "@/s.qcow2"}, {"check", "@/s.qcow2"}, {"map", "@/s.qcow2"},
        {"snapshot", "-l", "@/s.qcow2"}, {"ls", "@/s.qcow2"}}) {
      Path a = Files.createDirectories(dir.resolve(line[0] + line.length + "a"));
      Path b = Files.createDirectories(dir.resolve(line[0] + line.length + "b"));
      for (Path d : List.of(a, b)) {
        try (InputStream in = Main.class.getResourceAsStream("/" + SampleImage.NAME)) {
          Files.copy(in, d.resolve("s.qcow2"));
        }
      }
      Run whole = run(true, a, line);
      Run alone = run(false, b, line);
      assertEquals(whole, alone, String.join(" ", line));
    }
    Run info = run(false, dir, "info", "--output=json", "@/absent.qcow2");
    assertEquals(1, info.status());
  }

  @Test
  void onlyTheNamedCommandIsBuilt() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Set<String> tree = treeCommands();
    int alone = 0;
    for (String name : tree) {
      Object command = ToolCommands.create(name, new ToolIo(sink, sink));
      picocli.CommandLine cli = Tool.forLine(sink, sink, new String[] {name, "x"});
      if (command == null) {
        // Not in the start-up table (help): the tree, as before.
        assertEquals(tree, cli.getSubcommands().keySet(), name);
      } else {
        assertEquals(Set.of(name), cli.getSubcommands().keySet(), name);
        alone++;
      }
    }
    assertEquals(tree.size() - 1, alone, "every command but help starts alone");
    for (String[] line : new String[][] {{}, {"help"}, {"help", "info"}, {"--help"}, {"-h"},
        {"-V"}, {"-T", "x", "info"}, {"frobnicate"}, {"INFO"}}) {
      assertEquals(tree, Tool.forLine(sink, sink, line).getSubcommands().keySet(),
          String.join(" ", line));
    }
    assertNull(ToolCommands.create("help", new ToolIo(sink, sink)));
    assertNotNull(ToolCommands.create("info", new ToolIo(sink, sink)));
  }
}
