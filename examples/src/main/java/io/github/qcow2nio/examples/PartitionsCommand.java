package io.github.qcow2nio.examples;

import io.github.qcow2nio.partition.PartitionTable;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 partitions IMAGE}: the disk's partition table (MBR or GPT), as the partition
 * provider reads it. What was wrong but survivable (a damaged primary GPT header) goes to
 * stderr.
 */
@Command(name = "partitions",
    description = "the partition table (MBR or GPT): number, start, end, size, type, name")
final class PartitionsCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "IMAGE", arity = "0..*", hideParamSyntax = true)
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  PartitionsCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  @Override
  public Integer call() throws IOException, CommandLine.UsageException {
    if (operands.size() != 1) {
      throw new CommandLine.UsageException("partitions takes one image");
    }
    try (DiskImage disk = DiskImage.open(operands.get(0), format.format(), false,
        references.policy())) {
      PartitionTable t = disk.partitions().table();
      for (String problem : t.problems()) {
        err.println("qcow2: warning: " + problem);
      }
      out.print(PartitionTableText.format(t));
    }
    return 0;
  }
}
