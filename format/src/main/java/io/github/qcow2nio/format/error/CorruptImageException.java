package io.github.qcow2nio.format.error;

/**
 * A structure read from the image is malformed or out of bounds. The message names the structure,
 * the byte offset in the image file where it was found, and what was expected there.
 */
public final class CorruptImageException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  private final String structure;
  private final long offset;

  public CorruptImageException(String structure, long offset, String problem) {
    super(structure + " at offset 0x" + Long.toHexString(offset) + ": " + problem);
    this.structure = structure;
    this.offset = offset;
  }

  public CorruptImageException(String structure, long offset, String problem, Throwable cause) {
    super(structure + " at offset 0x" + Long.toHexString(offset) + ": " + problem, cause);
    this.structure = structure;
    this.offset = offset;
  }

  /** The on-disk structure that is wrong, as the specification names it. */
  public String structure() {
    return structure;
  }

  /** Byte offset of that structure in the image (or data) file. */
  public long offset() {
    return offset;
  }
}
