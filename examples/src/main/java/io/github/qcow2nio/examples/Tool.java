package io.github.qcow2nio.examples;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import picocli.CommandLine.HelpCommand;

/**
 * Builds the tool's command line: {@link ToolCommand} with one subcommand per command, parsed
 * the way qemu-img's getopt parses (short options clustered or with their value attached,
 * options anywhere among the operands, {@code --} ending them, repeated options: the last one
 * wins, a value that looks like an option is still a value, no {@code @file} expansion).
 */
final class Tool {
  private Tool() {}

  /**
   * The tool for one command line: when {@code line} starts with a command's name, only that
   * command is built under the tool (what the line runs, and every message it can print, are
   * the same: the command has the same parent and settings); otherwise (no command, options
   * before it, help, an unknown name) the whole tree.
   */
  static picocli.CommandLine forLine(PrintStream out, PrintStream err, String[] line) {
    if (line.length > 0) {
      ToolIo io = new ToolIo(out, err);
      Object command = ToolCommands.create(line[0], io);
      if (command != null) {
        return configure(new picocli.CommandLine(new ToolCommand()).addSubcommand(command),
            out, err);
      }
    }
    return commandLine(out, err);
  }

  /** The whole tree: every command, and help. */
  static picocli.CommandLine commandLine(PrintStream out, PrintStream err) {
    ToolIo io = new ToolIo(out, err);
    ZoneId zone = ZoneId.systemDefault();
    ImageInspector inspector = new ImageInspector(HostAllocation.allocatedBlocks());
    picocli.CommandLine cli = new picocli.CommandLine(new ToolCommand())
        .addSubcommand(new InfoCommand(io, inspector, zone))
        .addSubcommand(new MapCommand(io))
        .addSubcommand(new CheckCommand(io))
        .addSubcommand(new ConvertCommand(io))
        .addSubcommand(new MeasureCommand(io))
        .addSubcommand(new CompareCommand(io))
        .addSubcommand(new DdCommand(io))
        .addSubcommand(new CreateCommand(io))
        .addSubcommand(new ResizeCommand(io))
        .addSubcommand(new AmendCommand(io))
        .addSubcommand(new CommitCommand(io))
        .addSubcommand(new RebaseCommand(io))
        .addSubcommand(new SnapshotCommand(io, zone))
        .addSubcommand(new BitmapCommand(io))
        .addSubcommand(new InspectCommand(io))
        .addSubcommand(new PartitionsCommand(io))
        .addSubcommand(new LsCommand(io, zone))
        .addSubcommand(new CatCommand(io))
        .addSubcommand(new GetCommand())
        .addSubcommand(new PutCommand())
        .addSubcommand(new MkfsCommand(io))
        .addSubcommand(new PartitionCommand(io))
        .addSubcommand(new HelpCommand());
    return configure(cli, out, err);
  }

  /** What the tree and a single command share: the parser's settings, errors and help. */
  private static picocli.CommandLine configure(picocli.CommandLine cli, PrintStream out,
      PrintStream err) {
    // SIZE operands "-" and "-:TYPE" (the rest of the disk) look like options.
    picocli.CommandLine partition = cli.getSubcommands().get("partition");
    if (partition != null) {
      partition.setUnmatchedOptionsArePositionalParams(true);
    }
    cli.setExpandAtFiles(false)
        .setOverwrittenOptionsAllowed(true)
        .setAllowOptionsAsOptionParameters(true)
        .setAllowSubcommandsAsOptionParameters(true)
        .setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true))
        .setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true))
        .setParameterExceptionHandler(ToolErrors::parameterError)
        .setExecutionExceptionHandler(new ToolErrors(err))
        .setExecutionStrategy(parsed -> {
          try {
            return new picocli.CommandLine.RunLast().execute(parsed);
          } finally {
            // The --object secrets live no longer than the command.
            ObjectOption.wipeAll(parsed);
          }
        });
    ToolHelp.install(cli);
    return cli;
  }
}
