package io.github.qcow2nio.format.error;

/** The file does not start with the qcow2 magic; it is some other kind of file. */
public final class NotQcow2Exception extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public NotQcow2Exception(String file) {
    super(file + " is not in qcow2 format (no QFI\\xfb magic at offset 0)");
  }
}
