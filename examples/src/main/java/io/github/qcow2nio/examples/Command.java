package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** One subcommand of the qcow2 tool. */
public interface Command {

  /**
   * Runs the command with the arguments after its name, printing results to {@code out} and
   * notes to {@code err}; returns the exit status. Problems with an image are thrown as
   * IOExceptions, problems with the arguments as usage exceptions: Main reports both.
   */
  int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException;
}
