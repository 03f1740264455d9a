package io.github.qcow2nio.format.error;

/**
 * The image is well formed but uses something this library refuses to handle: an unknown
 * incompatible feature, an unsupported version, encryption, or an operation the image forbids.
 */
public final class UnsupportedImageException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public UnsupportedImageException(String message) {
    super(message);
  }
}
