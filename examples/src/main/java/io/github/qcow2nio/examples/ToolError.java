package io.github.qcow2nio.examples;

import java.util.List;

/**
 * An error the tool reports in qemu-img's words: each line on stderr after {@code qcow2: }, as
 * qemu-img prefixes each of its lines with {@code qemu-img: }; for mistakes in the command line
 * qemu-img adds "Try 'qemu-img --help' for more information", and so does this with
 * {@link #usage}. Exit status 1.
 */
final class ToolError extends Exception {
  private static final long serialVersionUID = 1L;

  /** What every usage error ends with, naming this tool instead of qemu-img. */
  static final String TRY_HELP = "Try 'qcow2 --help' for more information";

  private final List<String> lines;
  private final String hint;
  private final boolean tryHelp;

  private ToolError(List<String> lines, String hint, boolean tryHelp) {
    super(String.join("\n", lines));
    this.lines = List.copyOf(lines);
    this.hint = hint;
    this.tryHelp = tryHelp;
  }

  /** A failure, one {@code qcow2: } line per element. */
  static ToolError of(String... lines) {
    return new ToolError(List.of(lines), "", false);
  }

  /** A mistake in the command line: the message, then the "Try ... --help" line. */
  static ToolError usage(String message) {
    return new ToolError(List.of(message), "", true);
  }

  /** A failure and qemu-img's hint below it, whose lines carry no prefix. */
  static ToolError withHint(String message, String hint) {
    return new ToolError(List.of(message), hint, false);
  }

  /** What goes to stderr, newline-terminated. */
  String text() {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      sb.append("qcow2: ").append(line).append('\n');
    }
    sb.append(hint);
    if (tryHelp) {
      sb.append(TRY_HELP).append('\n');
    }
    return sb.toString();
  }
}
