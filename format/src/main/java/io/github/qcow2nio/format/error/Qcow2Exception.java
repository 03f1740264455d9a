package io.github.qcow2nio.format.error;

import java.io.IOException;

/** Base of every problem this library reports about an image or its files. */
public class Qcow2Exception extends IOException {
  private static final long serialVersionUID = 1L;

  public Qcow2Exception(String message) {
    super(message);
  }

  public Qcow2Exception(String message, Throwable cause) {
    super(message, cause);
  }
}
