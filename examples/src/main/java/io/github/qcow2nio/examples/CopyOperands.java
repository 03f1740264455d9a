package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * The operands get and put share, {@code IMAGE [N:]PATH FILE}, and the copy they both make: a
 * file's bytes replacing the target's, then its modification time.
 */
final class CopyOperands {
  @Parameters(paramLabel = "IMAGE [N:]PATH FILE", arity = "0..*", hideParamSyntax = true)
  List<String> operands = new ArrayList<>();

  /** Refuses anything but three operands, naming {@code command}. */
  void check(String command) throws CommandLine.UsageException {
    if (operands.size() != 3) {
      throw new CommandLine.UsageException(command + " takes an image, [N:]PATH and a FILE");
    }
  }

  String image() {
    return operands.get(0);
  }

  ImagePath where() throws CommandLine.UsageException {
    return ImagePath.parse(operands.get(1));
  }

  Path file() {
    return Path.of(operands.get(2));
  }

  /** {@code from}'s bytes replace {@code to}'s, and {@code to} takes its modification time. */
  static void copy(Path from, Path to) throws IOException {
    try (InputStream in = Files.newInputStream(from)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setLastModifiedTime(to, Files.getLastModifiedTime(from));
  }
}
