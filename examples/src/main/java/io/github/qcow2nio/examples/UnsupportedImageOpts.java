package io.github.qcow2nio.examples;

import picocli.CommandLine.Option;

/**
 * {@code --image-opts} and {@code --object} on the commands that do not take them yet (compare,
 * measure): accepted by the parser so that the refusal names the option, as a usage error.
 */
final class UnsupportedImageOpts {
  @Option(names = "--image-opts", description = "not supported")
  boolean imageOpts;
  @Option(names = "--object", paramLabel = "objectdef", description = "not supported")
  String object;

  /** Refuses either option when given. */
  void check() throws CommandLine.UsageException {
    if (imageOpts || object != null) {
      throw new CommandLine.UsageException((imageOpts ? "--image-opts" : "--object")
          + " is not supported");
    }
  }
}
