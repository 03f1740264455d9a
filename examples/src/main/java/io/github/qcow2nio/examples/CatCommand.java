package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code qcow2 cat IMAGE [N:]PATH}: a file inside a disk image to stdout, as virt-cat. */
@Command(name = "cat", description = "a file to stdout, as virt-cat")
final class CatCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "IMAGE [N:]PATH", arity = "0..*", hideParamSyntax = true)
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  CatCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, CommandLine.UsageException {
    if (operands.size() != 2) {
      throw new CommandLine.UsageException("cat takes an image and [N:]PATH");
    }
    ImagePath where = ImagePath.parse(operands.get(1));
    try (DiskImage disk = DiskImage.open(operands.get(0), format.format(), false,
        references.policy())) {
      Path file = GetCommand.regularFile(disk, where);
      try (InputStream in = Files.newInputStream(file)) {
        in.transferTo(out);
      }
      out.flush();
    }
    return 0;
  }
}
