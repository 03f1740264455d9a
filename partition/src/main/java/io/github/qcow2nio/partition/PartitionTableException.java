package io.github.qcow2nio.partition;

import java.io.IOException;

/**
 * A partition table whose bytes cannot be trusted: a bad checksum, an entry past the disk's end,
 * an extended-partition chain that loops. The message names the structure, its byte offset on the
 * disk and what was expected there.
 */
public class PartitionTableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String structure;
  private final long offset;

  /** {@code structure} at byte {@code offset} of the disk is not what {@code expected} says. */
  public PartitionTableException(String structure, long offset, String expected) {
    super(structure + " at byte " + offset + ": " + expected);
    this.structure = structure;
    this.offset = offset;
  }

  /** The on-disk structure at fault, such as "GPT header" or "EBR 3". */
  public String structure() {
    return structure;
  }

  /** Its byte offset on the disk. */
  public long offset() {
    return offset;
  }
}
