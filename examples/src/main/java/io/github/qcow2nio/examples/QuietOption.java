package io.github.qcow2nio.examples;

import picocli.CommandLine.Option;

/** {@code -q}: quiet, as qemu-img: nothing on stdout, errors still on stderr. */
final class QuietOption {
  @Option(names = "-q", description = "quiet: print nothing but errors")
  boolean quiet;
}
