package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The tool run in-process, with what it printed. */
record ToolRun(int status, String out, String err) {

  static ToolRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = Main.run(args, o, e);
    }
    return new ToolRun(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** Runs the tool; fails the test unless it exits 0 with nothing on stderr. */
  static ToolRun ok(String... args) {
    ToolRun run = of(args);
    assertEquals(0, run.status(), () -> String.join(" ", args) + ": " + run.err());
    assertEquals("", run.err(), String.join(" ", args));
    return run;
  }
}
