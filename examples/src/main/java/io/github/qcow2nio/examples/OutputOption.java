package io.github.qcow2nio.examples;

import picocli.CommandLine.Option;

/** {@code --output=human|json}: qemu-img's two layouts, human by default. */
final class OutputOption {
  @Option(names = "--output", paramLabel = "ofmt",
      description = "human (the default) or json, the layouts qemu-img prints")
  String output = "human";

  /** Whether JSON was asked for; anything but human or json is refused in qemu-img's words. */
  boolean json() throws ToolError {
    if (!output.equals("human") && !output.equals("json")) {
      throw ToolError.of("--output must be used with human or json as argument.");
    }
    return output.equals("json");
  }
}
