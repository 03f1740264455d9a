package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code qcow2 get IMAGE [N:]PATH FILE}: copies a file out of a disk image, as virt-copy-out.
 * FILE may be a directory (the file keeps its name there); an existing file is replaced. The
 * copy keeps the modification time.
 */
@Command(name = "get",
    description = "copies a file out of the image to FILE (or into the directory FILE)")
final class GetCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @Mixin CopyOperands operands;

  @Override
  public Integer call() throws IOException, CommandLine.UsageException {
    operands.check("get");
    ImagePath where = operands.where();
    Path target = operands.file();
    try (DiskImage disk = DiskImage.open(operands.image(), format.format(), false,
        references.policy())) {
      Path file = regularFile(disk, where);
      if (Files.isDirectory(target) && file.getFileName() != null) {
        target = target.resolve(file.getFileName().toString());
      }
      CopyOperands.copy(file, target);
    }
    return 0;
  }

  /** The file {@code where} names, which must be a regular file (links followed). */
  static Path regularFile(DiskImage disk, ImagePath where) throws IOException {
    Path file = disk.fileSystem(where.partition()).getPath(where.path());
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(where.spec());
    }
    if (a.isDirectory()) {
      throw new IOException(where.spec() + ": Is a directory");
    }
    if (!a.isRegularFile()) {
      throw new IOException(where.spec() + ": not a regular file");
    }
    return file;
  }
}
