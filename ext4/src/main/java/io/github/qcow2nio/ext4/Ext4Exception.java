package io.github.qcow2nio.ext4;

import java.io.IOException;

/** Every problem with the bytes of an ext2/3/4 file system: the message names what and where. */
public class Ext4Exception extends IOException {
  private static final long serialVersionUID = 1L;

  public Ext4Exception(String message) {
    super(message);
  }
}
