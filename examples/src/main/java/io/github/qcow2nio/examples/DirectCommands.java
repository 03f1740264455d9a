package io.github.qcow2nio.examples;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * The start-up path of the metadata commands ({@code info}, {@code map}, {@code check},
 * {@code measure}; issue 13): a well-formed line of one of them is read by {@link DirectLine}
 * into the same command object picocli would build, and run, without loading picocli at all.
 * Building picocli's model of a command (annotations read by reflection, their proxies, its
 * converters and patterns) cost more than the command itself. Any other line, and any line
 * {@link DirectLine} declines (help, errors, unusual forms), goes to picocli unchanged, so every
 * usage text, parse error and exit status stays picocli's.
 */
final class DirectCommands {
  private DirectCommands() {}

  /**
   * Runs {@code line} when the direct path reads it and returns the exit status; null when the
   * line is picocli's to run (nothing was printed, nothing run).
   */
  static Integer run(String[] line, PrintStream out, PrintStream err) {
    Bound bound = parse(line, new ToolIo(out, err));
    if (bound == null) {
      return null;
    }
    try {
      Integer status = bound.command().call();
      return status == null ? 0 : status;
    } catch (Exception e) {
      return failure(e, line[0], err);
    } finally {
      // The --object secrets live no longer than the command, as on picocli's path.
      bound.objects().wipe();
    }
  }

  /**
   * What picocli's path prints for an exception a command throws: the message, or for a defect
   * (an exception no message is written for) its stack trace, as picocli prints it; status 1.
   */
  static int failure(Exception e, String command, PrintStream err) {
    try {
      return FailureReport.print(e, command, err);
    } catch (Exception defect) {
      defect.printStackTrace(err);
      err.flush();
      return 1;
    }
  }

  /** A command object with its options set, and its secrets to wipe when it ends. */
  record Bound(Callable<Integer> command, ObjectOption objects) {}

  /** {@code line} read into its command object, or null when picocli is to read it. */
  static Bound parse(String[] line, ToolIo io) {
    if (line.length == 0) {
      return null;
    }
    switch (line[0]) {
      case "info": {
        DirectBinders.Info b = new DirectBinders.Info(new InfoCommand(io,
            new ImageInspector(HostAllocation.allocatedBlocks())));
        return DirectLine.read(line, 1, b) ? new Bound(b.command, b.command.objects) : null;
      }
      case "map": {
        DirectBinders.Map b = new DirectBinders.Map(new MapCommand(io));
        return DirectLine.read(line, 1, b) ? new Bound(b.command, b.command.objects) : null;
      }
      case "check": {
        DirectBinders.Check b = new DirectBinders.Check(new CheckCommand(io));
        return DirectLine.read(line, 1, b) ? new Bound(b.command, b.command.objects) : null;
      }
      case "measure": {
        DirectBinders.Measure b = new DirectBinders.Measure(new MeasureCommand(io));
        return DirectLine.read(line, 1, b) ? new Bound(b.command, b.command.objects) : null;
      }
      default:
        return null;
    }
  }
}
