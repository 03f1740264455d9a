package io.github.qcow2nio.examples;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What goes to stderr when a command line is wrong or a command fails, in qemu-img's words
 * ("unrecognized option '--x'", "missing argument for option '-f'", "Command not found: x", each
 * followed by "Try 'qcow2 --help' ..."), every line starting {@code qcow2: }. Exit status 1.
 */
final class ToolErrors implements IExecutionExceptionHandler {
  private final PrintStream err;

  ToolErrors(PrintStream err) {
    this.err = err;
  }

  /** A command line picocli could not parse. */
  static int parameterError(ParameterException ex, String[] args) {
    PrintWriter w = ex.getCommandLine().getErr();
    w.print("qcow2: " + message(ex) + "\n" + ToolError.TRY_HELP + "\n");
    w.flush();
    return 1;
  }

  private static String message(ParameterException ex) {
    if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      boolean top = ex.getCommandLine().getParent() == null;
      return top && !arg.startsWith("-") ? "Command not found: " + arg
          : "unrecognized option '" + arg + "'";
    }
    if (ex instanceof MissingParameterException m) {
      for (ArgSpec a : m.getMissing()) {
        if (a instanceof OptionSpec o) {
          return "missing argument for option '" + typed(ex, o) + "'";
        }
      }
    }
    return ex.getMessage();
  }

  /** The name of {@code option} as the user spelled it (the last argument naming it). */
  private static String typed(ParameterException ex, OptionSpec option) {
    ParseResult r = ex.getCommandLine().getParseResult();
    List<String> args = r == null ? List.of() : r.originalArgs();
    for (int i = args.size() - 1; i >= 0; i--) {
      for (String name : option.names()) {
        if (args.get(i).equals(name)) {
          return name;
        }
      }
    }
    return option.longestName();
  }

  @Override
  public int handleExecutionException(Exception ex, picocli.CommandLine cl, ParseResult parsed)
      throws Exception {
    return FailureReport.print(ex, cl.getCommandName(), err);
  }
}
