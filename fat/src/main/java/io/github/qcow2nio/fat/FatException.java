package io.github.qcow2nio.fat;

import java.io.IOException;

/**
 * A FAT volume's bytes are wrong: the message names the structure, its byte offset in the volume
 * and what was expected, so that a bad image can be diagnosed from the message alone.
 */
public class FatException extends IOException {
  private static final long serialVersionUID = 1L;

  public FatException(String message) {
    super(message);
  }

  /** A structure at {@code offset} holds something other than {@code expected}. */
  public static FatException corrupt(String structure, long offset, String expected) {
    return new FatException(structure + " at offset " + offset + ": expected " + expected);
  }
}
