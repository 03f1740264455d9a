package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code qcow2 put IMAGE [N:]PATH FILE}: copies a host file into a disk image, as virt-copy-in.
 * PATH may be a directory (the file keeps its name there); an existing file is replaced. The
 * copy keeps the modification time. The image is written only through its file systems, and
 * closing them flushes each layer into the one below.
 */
@Command(name = "put",
    description = "copies FILE into the image at PATH (or into the directory PATH); FAT only")
final class PutCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @Mixin CopyOperands operands;

  @Override
  public Integer call() throws IOException, CommandLine.UsageException {
    operands.check("put");
    ImagePath where = operands.where();
    Path source = operands.file();
    if (!Files.exists(source)) {
      throw new NoSuchFileException(source.toString());
    }
    if (!Files.isRegularFile(source)) {
      throw new IOException(source + ": not a regular file");
    }
    try (DiskImage disk = DiskImage.open(operands.image(), format.format(), true,
        references.policy())) {
      FileSystem fs = disk.fileSystem(where.partition());
      if (fs.isReadOnly()) {
        throw new IOException(where.spec() + ": the " + DiskImage.scheme(fs)
            + " file system is read-only here");
      }
      Path target = fs.getPath(where.path());
      if (Files.isDirectory(target)) {
        target = target.resolve(source.getFileName().toString());
      } else if (target.getParent() != null && !Files.isDirectory(target.getParent())) {
        throw new NoSuchFileException(where.spec(), null, "no such directory");
      }
      CopyOperands.copy(source, target);
    }
    return 0;
  }
}
