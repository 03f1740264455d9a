package io.github.qcow2nio.examples;

import io.github.qcow2nio.fat.FatFormatter;
import io.github.qcow2nio.fat.FatType;
import io.github.qcow2nio.fat.FormatOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 mkfs [--label=LABEL] IMAGE N fat32|fat16|fat12}: formats partition N with an
 * empty FAT volume, as mkfs.fat would (the fat module's formatter), through the partition's
 * bounded channel: nothing outside the partition is written.
 */
@Command(name = "mkfs", description = "formats partition N with an empty FAT file system")
final class MkfsCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @picocli.CommandLine.Option(names = "--label", paramLabel = "LABEL",
      description = "the volume label")
  String label;
  @Parameters(paramLabel = "IMAGE N fat32|fat16|fat12", arity = "0..*", hideParamSyntax = true)
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  MkfsCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, CommandLine.UsageException {
    List<String> ops = operands;
    if (ops.size() != 3) {
      throw new CommandLine.UsageException("mkfs takes an image, a partition number and a type");
    }
    int number = number(ops.get(1));
    FatType type = type(ops.get(2));
    FormatOptions options = FormatOptions.defaults();
    if (label != null) {
      try {
        options = options.withLabel(label);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.UsageException(e.getMessage());
      }
    }
    try (DiskImage disk = DiskImage.open(ops.get(0), format.format(), true,
        references.policy());
        FileChannel ch = FileChannel.open(disk.partition(number), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      long size = ch.size();
      try {
        FatFormatter.format(ch, size, type, options);
      } catch (IllegalArgumentException e) {
        throw new IOException(ops.get(0) + ": partition " + number + " ("
            + SizeFormat.human(size) + "): " + e.getMessage(), e);
      }
      ch.force(true);
      out.println("partition " + number + ": " + type.name().toLowerCase(Locale.ROOT) + ", "
          + SizeFormat.human(size) + ", label " + options.paddedLabel().strip());
    }
    return 0;
  }

  private static int number(String s) throws CommandLine.UsageException {
    try {
      int n = Integer.parseInt(s);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CommandLine.UsageException("N is a partition number (1, 2, ...), not '" + s + "'");
  }

  private static FatType type(String s) throws CommandLine.UsageException {
    return switch (s) {
      case "fat32" -> FatType.FAT32;
      case "fat16" -> FatType.FAT16;
      case "fat12" -> FatType.FAT12;
      default -> throw new CommandLine.UsageException(
          "the file system is fat32, fat16 or fat12, not '" + s + "'");
    };
  }
}
