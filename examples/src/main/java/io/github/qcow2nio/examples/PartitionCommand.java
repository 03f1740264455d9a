package io.github.qcow2nio.examples;

import io.github.qcow2nio.partition.PartitionSpec;
import io.github.qcow2nio.partition.PartitionTable;
import io.github.qcow2nio.partition.PartitionTables;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 partition IMAGE gpt|mbr SIZE[:TYPE]...}: writes a new partition table on a disk
 * that has none, laid out as sgdisk (GPT) or sfdisk (MBR) lay one out, and prints it. SIZE takes
 * qemu-img's suffixes (k, M, G, ...), {@code -} is the rest of the disk (last only); TYPE is one
 * of the partition module's aliases or a GUID / hex byte, "linux" by default.
 */
@Command(name = "partition",
    description = "writes a new partition table on a disk without one; SIZE as 64M, 1G, or '-' "
        + "for the rest of the disk; TYPE linux (default), efi, swap, msdata, ...")
final class PartitionCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "IMAGE gpt|mbr SIZE[:TYPE]...", arity = "0..*",
      hideParamSyntax = true)
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  PartitionCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    List<String> ops = operands;
    for (String a : ops) {
      // Sizes may be "-" or "-:TYPE" (the parser passes unknown dashed words on to here).
      if (a.startsWith("-") && !a.equals("-") && !a.startsWith("-:")) {
        throw ToolError.usage("unrecognized option '" + a + "'");
      }
    }
    if (ops.size() < 3) {
      throw new CommandLine.UsageException("partition takes an image, gpt or mbr, and sizes");
    }
    String scheme = ops.get(1);
    if (!scheme.equals("gpt") && !scheme.equals("mbr")) {
      throw new CommandLine.UsageException("the table is gpt or mbr, not '" + scheme + "'");
    }
    List<PartitionSpec> specs = specs(ops.subList(2, ops.size()));
    try (DiskImage disk = DiskImage.open(ops.get(0), format.format(), true,
        references.policy());
        FileChannel ch = FileChannel.open(disk.disk(), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (PartitionTables.read(ch, 0).isPresent()) {
        throw new IOException(ops.get(0) + ": the disk already has a partition table");
      }
      PartitionTable t;
      try {
        t = scheme.equals("gpt") ? PartitionTables.createGpt(ch, size, 512, specs)
            : PartitionTables.createMbr(ch, size, 512, specs);
      } catch (IllegalArgumentException e) {
        throw new IOException(ops.get(0) + ": " + e.getMessage(), e);
      }
      ch.force(true);
      out.print(PartitionTableText.format(t));
    }
    return 0;
  }

  private static List<PartitionSpec> specs(List<String> args) throws CommandLine.UsageException {
    List<PartitionSpec> specs = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      int colon = a.indexOf(':');
      String size = colon < 0 ? a : a.substring(0, colon);
      String type = colon < 0 ? "linux" : a.substring(colon + 1);
      if (size.equals("-")) {
        if (i != args.size() - 1) {
          throw new CommandLine.UsageException("'-' (the rest of the disk) must come last");
        }
        specs.add(PartitionSpec.rest(type));
        continue;
      }
      long bytes = CommandLine.parseSize("SIZE", size);
      if (bytes == 0 || bytes % 512 != 0) {
        throw new CommandLine.UsageException("a partition size is a positive multiple of 512, "
            + "not '" + size + "'");
      }
      specs.add(PartitionSpec.of(bytes, type));
    }
    return specs;
  }
}
