package io.github.qcow2nio.format.error;

/**
 * An encrypted image cannot be read: no secret was given to open it, or the secret unlocks none
 * of its LUKS key slots (QEMU's words: {@code Invalid password, cannot unlock any keyslot}). The
 * message never holds the secret.
 */
public final class EncryptionKeyException extends Qcow2Exception {
  private static final long serialVersionUID = 1L;

  public EncryptionKeyException(String message) {
    super(message);
  }
}
