package io.github.qcow2nio.format.error;

/**
 * An image names a file (a backing file or an external data file) that the caller's reference
 * policy does not let it open: the message names the image, the refused name and the policy.
 */
public final class ReferenceRefusedException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public ReferenceRefusedException(String message) {
    super(message);
  }
}
