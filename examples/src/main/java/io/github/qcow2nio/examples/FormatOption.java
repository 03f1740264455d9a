package io.github.qcow2nio.examples;

import picocli.CommandLine.Option;

/** {@code -f fmt}: the image's format, qcow2 or raw; without it, told by the qcow2 magic. */
final class FormatOption {
  @Option(names = "-f", paramLabel = "fmt",
      description = "the image format: qcow2 or raw (default: qcow2 when the file has the "
          + "qcow2 magic, raw otherwise)")
  String format;

  /** The format named, checked, or null for "detect it". */
  String format() throws CommandLine.UsageException {
    if (format != null && !format.equals("qcow2") && !format.equals("raw")) {
      throw new CommandLine.UsageException("unsupported format '" + format
          + "' (qcow2 and raw are)");
    }
    return format;
  }
}
