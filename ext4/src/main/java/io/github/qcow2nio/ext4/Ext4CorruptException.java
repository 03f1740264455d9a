package io.github.qcow2nio.ext4;

/**
 * A structure whose bytes break the format's rules or point outside the file system. The message
 * names the structure, its byte offset on the device (or -1 when it lives inside an inode) and
 * what was expected, so that a user can look at the bytes with {@code debugfs} or a hex dump.
 */
public final class Ext4CorruptException extends Ext4Exception {
  private static final long serialVersionUID = 1L;

  public Ext4CorruptException(String structure, long offset, String expected) {
    super(structure + " at byte " + offset + ": " + expected);
  }
}
