package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code qcow2 cat IMAGE [N:]PATH}: a file inside a disk image to stdout, as virt-cat. */
public final class CatCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    CommandLine cl = CommandLine.parse(args, Set.of());
    if (cl.operands().size() != 2) {
      throw new CommandLine.UsageException("cat takes an image and [N:]PATH");
    }
    ImagePath where = ImagePath.parse(cl.operands().get(1));
    try (DiskImage disk = DiskImage.open(cl.operands().get(0), cl.format(), false)) {
      Path file = GetCommand.regularFile(disk, where);
      try (InputStream in = Files.newInputStream(file)) {
        in.transferTo(out);
      }
      out.flush();
    }
    return 0;
  }
}
