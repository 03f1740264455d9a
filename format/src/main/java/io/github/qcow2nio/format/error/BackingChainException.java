package io.github.qcow2nio.format.error;

/** The backing chain cannot be opened: a file is missing, the chain loops or is too deep. */
public final class BackingChainException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public BackingChainException(String message) {
    super(message);
  }

  public BackingChainException(String message, Throwable cause) {
    super(message, cause);
  }
}
