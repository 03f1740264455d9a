package io.github.qcow2nio.examples;

import picocli.CommandLine.Option;

/** {@code -h}, {@code --help} on every command: its usage, generated from its annotations. */
final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true,
      description = "show this command's usage and exit")
  boolean help;
}
