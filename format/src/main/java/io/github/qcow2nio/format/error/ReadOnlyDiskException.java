package io.github.qcow2nio.format.error;

/** A write was asked of a disk that was opened read-only, or that cannot be written. */
public final class ReadOnlyDiskException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public ReadOnlyDiskException(String message) {
    super(message);
  }
}
