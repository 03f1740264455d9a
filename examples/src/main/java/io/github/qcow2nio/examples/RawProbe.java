package io.github.qcow2nio.examples;

/** What qemu-img says when it opens a probed raw image for writing. */
final class RawProbe {
  private RawProbe() {}

  static String warning(String filename) {
    return "WARNING: Image format was not specified for '" + filename
        + "' and probing guessed raw.\n"
        + "         Automatically detecting the format is dangerous for raw images, write "
        + "operations on block 0 will be restricted.\n"
        + "         Specify the 'raw' format explicitly to remove the restrictions.\n";
  }
}
