package io.github.qcow2nio.examples;

import java.io.PrintStream;
import picocli.CommandLine.Option;

/** {@code -p}: qemu-img's progress line while the command works. */
final class ProgressOption {
  @Option(names = "-p", description = "show the progress of the command")
  boolean progress;

  /** A printer on {@code out} when -p was given and -q was not; otherwise one that prints none. */
  ProgressPrinter printer(PrintStream out, boolean quiet, double step) {
    return progress && !quiet ? new ProgressPrinter(out, step) : ProgressPrinter.NONE;
  }
}
