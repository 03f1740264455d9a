package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.struct.StructSource;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The guest-data cipher of one open encrypted image, unlocked: decrypts (and encrypts) runs of
 * 512-byte sectors given the sector number QEMU tweaks them with. LUKS images (crypt_method 2)
 * number sectors by their HOST offset (in the image or its data file), legacy AES images
 * (crypt_method 1) by their GUEST offset; {@link #usesHostOffsets()} says which.
 *
 * <p>Safe for concurrent use: each thread gets its own cipher state. The master key is held
 * until {@link #close()}, which wipes it; the JDK's own key copies inside its ciphers cannot be
 * wiped on Java 17 and go with the garbage. Nothing here ever prints the key or the passphrase.
 */
public final class ImageEncryption implements Closeable {
  public static final int SECTOR_SIZE = SectorCipher.SECTOR;

  private final CipherSpec spec;
  private final byte[] key;
  private final boolean hostOffsets;
  private final String description;
  private final ThreadLocal<SectorCipher> ciphers;
  private volatile boolean closed;

  private ImageEncryption(CipherSpec spec, byte[] key, boolean hostOffsets, String description) {
    this.spec = spec;
    this.key = key;
    this.hostOffsets = hostOffsets;
    this.description = description;
    this.ciphers = ThreadLocal.withInitial(() -> spec.newCipher(this.key));
  }

  /**
   * Unlocks the LUKS1 header at {@code areaOffset} ({@code areaLength} bytes, from the image's
   * full-disk-encryption header extension) with {@code passphrase}; the caller wipes the
   * passphrase.
   *
   * @param what names the image in messages
   * @throws io.github.qcow2nio.format.error.EncryptionKeyException when no key slot opens
   */
  public static ImageEncryption luks(StructSource image, long areaOffset, long areaLength,
      byte[] passphrase, String what) throws IOException {
    ByteBuffer b = image.read("LUKS header", areaOffset, LuksHeader.SIZE);
    LuksHeader header = LuksHeader.parse(b, areaOffset, areaLength);
    // Refuse an unsupported cipher before spending PBKDF2 time on it.
    CipherSpec spec = header.cipher(what);
    header.hash(what);
    byte[] key = LuksUnlock.masterKey(header, image, passphrase, what);
    return new ImageEncryption(spec, key, true,
        "LUKS " + spec.describe() + ", hash " + header.hashSpec());
  }

  /**
   * The legacy qcow2 AES method: AES-128-CBC, plain64 IVs of the guest sector, the key being the
   * passphrase's first 16 bytes, zero-padded (as QEMU, not the specification's 256 bits). Any
   * passphrase "works": the method has no way to tell a wrong one.
   */
  public static ImageEncryption legacyAes(byte[] passphrase) {
    byte[] key = new byte[16];
    System.arraycopy(passphrase, 0, key, 0, Math.min(16, passphrase.length));
    return new ImageEncryption(CipherSpec.LEGACY_AES, key, false, "AES-128-CBC (legacy)");
  }

  /** True for LUKS: sectors are numbered by host offset; false for legacy AES (guest offset). */
  public boolean usesHostOffsets() {
    return hostOffsets;
  }

  /** Decrypts whole sectors {@code buf[off..off+len)} in place, the first being {@code sector}. */
  public void decrypt(byte[] buf, int off, int len, long sector) throws IOException {
    requireSectors(len);
    ciphers.get().decrypt(buf, off, len, sector);
  }

  /** Encrypts whole sectors {@code buf[off..off+len)} in place, the first being {@code sector}. */
  public void encrypt(byte[] buf, int off, int len, long sector) throws IOException {
    requireSectors(len);
    ciphers.get().encrypt(buf, off, len, sector);
  }

  private void requireSectors(int len) throws IOException {
    if (closed) {
      throw new Qcow2Exception("the encrypted image is closed");
    }
    if (len % SECTOR_SIZE != 0) {
      throw new IllegalArgumentException(len + " bytes are not whole sectors");
    }
  }

  /** Wipes the master key; later calls fail. */
  @Override
  public void close() {
    closed = true;
    Secrets.wipe(key);
  }

  /** The method and cipher, for messages and info: never key material. */
  @Override
  public String toString() {
    return description;
  }
}
