package io.github.qcow2nio.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The tool itself, {@code qcow2 [-h] [-V] [-T trace] command [command options]}: qemu-img's
 * "standard options" before the command, and its commands as subcommands (see {@link Tool}).
 */
@Command(name = "qcow2", versionProvider = ToolVersion.class,
    synopsisHeading = "usage: ",
    description = "qcow2 disk image utility in pure Java: qemu-img's commands and output, and "
        + "commands for the files inside a disk",
    commandListHeading = "%nCommands:%n",
    optionListHeading = "%nStandard options:%n",
    footerHeading = "%n",
    footer = {"Without a command, qcow2 runs 'info' on the sample image bundled in the jar. "
        + "'qcow2 help COMMAND' (or 'qcow2 COMMAND --help') shows one command's options.",
        "",
        "Inside the disk (partitions, ls, cat, get, put, mkfs, partition), IMAGE is qcow2 "
        + "(with any backing chain) or raw, N:PATH is PATH in partition N, and PATH alone a "
        + "file system filling the whole disk (FAT, ext2/3/4)."})
final class ToolCommand implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "display this help and exit")
  boolean help;
  @Option(names = {"-V", "--version"}, versionHelp = true,
      description = "output version information and exit")
  boolean version;
  @Option(names = {"-T", "--trace"}, paramLabel = "trace",
      description = "qemu-img's tracing options, [[enable=]<pattern>][,events=<file>]"
          + "[,file=<file>]: accepted, nothing is traced")
  String trace;

  @Override
  public Integer call() throws ToolError {
    // Options alone, no command (a bare "qcow2" shows the sample, see Tool).
    throw ToolError.usage("Not enough arguments");
  }
}
