package io.github.qcow2nio.ext4;

/**
 * A file system that uses a feature this reader cannot read correctly (an INCOMPAT bit it does not
 * know, or one it refuses, such as a journal device or encryption). Reading it anyway would give
 * wrong bytes, so it is refused by name.
 */
public final class Ext4UnsupportedFeatureException extends Ext4Exception {
  private static final long serialVersionUID = 1L;

  public Ext4UnsupportedFeatureException(String message) {
    super(message);
  }
}
