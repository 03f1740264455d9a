package io.github.qcow2nio.examples;

import io.github.qcow2nio.partition.PartitionTable;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code qcow2 partitions IMAGE}: the disk's partition table (MBR or GPT), as the partition
 * provider reads it. What was wrong but survivable (a damaged primary GPT header) goes to
 * stderr.
 */
public final class PartitionsCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    CommandLine cl = CommandLine.parse(args, Set.of());
    if (cl.operands().size() != 1) {
      throw new CommandLine.UsageException("partitions takes one image");
    }
    try (DiskImage disk = DiskImage.open(cl.operands().get(0), cl.format(), false)) {
      PartitionTable t = disk.partitions().table();
      for (String problem : t.problems()) {
        err.println("qcow2: warning: " + problem);
      }
      out.print(PartitionTableText.format(t));
    }
    return 0;
  }
}
