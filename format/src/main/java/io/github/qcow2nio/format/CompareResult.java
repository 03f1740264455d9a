package io.github.qcow2nio.format;

/**
 * What {@code qemu-img compare} found.
 *
 * @param outcome how the comparison ended
 * @param offset the guest offset qemu-img names (the first differing 512-byte sector, or where
 *     block status first differs), or -1
 * @param sizeMismatch the sizes differ and the common part matched: qemu-img then prints its
 *     size warning and compares the longer image's tail with zeros
 */
public record CompareResult(Outcome outcome, long offset, boolean sizeMismatch) {

  /** How a comparison ends. */
  public enum Outcome {
    IDENTICAL,
    CONTENT_MISMATCH,
    /** Strict mode: the sizes differ. */
    SIZE_MISMATCH,
    /** Strict mode: a range is allocated differently. */
    STATUS_MISMATCH
  }

  public boolean identical() {
    return outcome == Outcome.IDENTICAL;
  }

  /** qemu-img compare's exit status for this result: 0 identical, 1 different. */
  public int exitCode() {
    return identical() ? 0 : 1;
  }

  /** The lines qemu-img prints (without -q), each ending in a newline. */
  public String message() {
    String warning = sizeMismatch && outcome != Outcome.SIZE_MISMATCH
        ? "Warning: Image size mismatch!\n" : "";
    return switch (outcome) {
      case IDENTICAL -> warning + "Images are identical.\n";
      case CONTENT_MISMATCH -> warning + "Content mismatch at offset " + offset + "!\n";
      case SIZE_MISMATCH -> "Strict mode: Image size mismatch!\n";
      case STATUS_MISMATCH -> "Strict mode: Offset " + offset + " block status mismatch!\n";
    };
  }
}
