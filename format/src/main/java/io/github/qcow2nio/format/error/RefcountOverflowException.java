package io.github.qcow2nio.format.error;

/**
 * A change would raise a refcount past what the image's refcount width holds (a snapshot of an
 * image with 1-bit refcounts, for example): refused before anything is written.
 */
public class RefcountOverflowException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public RefcountOverflowException(String message) {
    super(message);
  }
}
