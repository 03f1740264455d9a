package io.github.qcow2nio.format.error;

/**
 * Another open (another process, or another open in this JVM) holds the image in a way that
 * conflicts with this one. The message uses QEMU's words, so scripts that match QEMU's failures
 * match ours: {@code Failed to get "write" lock} and
 * {@code Is another process using the image [NAME]?}.
 */
public class ImageLockedException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  private final String file;

  public ImageLockedException(String file, String message) {
    super(message);
    this.file = file;
  }

  /** The file whose lock could not be had. */
  public String file() {
    return file;
  }
}
