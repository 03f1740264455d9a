package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * What goes to stderr when a command fails while it runs, in qemu-img's words, and its exit
 * status. Free of picocli so that the direct path ({@link DirectCommands}) reports a failure
 * exactly as {@link ToolErrors} does without loading the parser.
 */
final class FailureReport {
  private FailureReport() {}

  /**
   * Prints what {@code ex}, thrown by command {@code command}, means and returns the exit
   * status; rethrows what no message is written for (a defect), as picocli's handler contract
   * asks.
   */
  static int print(Exception ex, String command, PrintStream err) throws Exception {
    if (ex instanceof ToolError t) {
      err.print(t.text());
    } else if (ex instanceof CommandLine.UsageException u) {
      // The tool's own commands say which command they mean.
      err.print("qcow2: " + command + ": " + u.getMessage() + "\n" + ToolError.TRY_HELP + "\n");
    } else if (ex instanceof IOException e) {
      err.println("qcow2: " + Main.message(e));
    } else if (ex instanceof UncheckedIOException e) {
      err.println("qcow2: " + Main.message(e.getCause()));
    } else if (ex instanceof InvalidPathException) {
      err.println("qcow2: " + ex.getMessage());
    } else if (ex instanceof ReadOnlyFileSystemException) {
      err.println("qcow2: " + command + ": the file system is read-only");
    } else {
      throw ex;
    }
    err.flush();
    return 1;
  }
}
