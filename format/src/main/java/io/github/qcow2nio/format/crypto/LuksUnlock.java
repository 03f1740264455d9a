package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.struct.StructSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Recovers the master key from a LUKS1 header with a passphrase, as LUKS1 defines it: for each
 * active key slot, PBKDF2 of the passphrase with the slot's salt and iterations gives the key
 * that decrypts the slot's material (with the header's cipher, sectors counted from 0), AF-merge
 * of the material gives a candidate, and the candidate is the master key when PBKDF2 of it with
 * the digest salt and iterations equals the header's master key digest.
 */
final class LuksUnlock {
  private LuksUnlock() {}

  /**
   * The master key (the caller wipes it).
   *
   * @param area reads the image file; slot material is at {@code header.areaOffset()} plus its
   *     sector offset
   * @throws EncryptionKeyException when no active slot opens with {@code passphrase}
   */
  static byte[] masterKey(LuksHeader header, StructSource area, byte[] passphrase, String what)
      throws IOException {
    // Refuse an unsupported cipher or hash before spending PBKDF2 time on a slot.
    header.cipher(what);
    header.hash(what);
    for (LuksKeySlot slot : header.slots()) {
      byte[] key = slot.active() ? slotKey(header, area, slot, passphrase, what) : null;
      if (key != null) {
        return key;
      }
    }
    throw new EncryptionKeyException(what + ": Invalid password, cannot unlock any keyslot");
  }

  /**
   * The master key that {@code slot} yields with {@code passphrase} (the caller wipes it), or
   * null when the slot does not open with it; an inactive slot opens with nothing.
   */
  static byte[] slotKey(LuksHeader header, StructSource area, LuksKeySlot slot,
      byte[] passphrase, String what) throws IOException {
    if (!slot.active()) {
      return null;
    }
    CipherSpec spec = header.cipher(what);
    LuksHash hash = header.hash(what);
    int length = (int) slot.materialBytes(header.keyBytes());
    ByteBuffer read = area.read("LUKS key slot " + slot.index() + " key material",
        header.areaOffset() + slot.materialSector() * 512, length);
    byte[] material = read.array();
    byte[] slotKey = Pbkdf2.derive(hash, passphrase, slot.salt(), slot.iterations(),
        header.keyBytes());
    byte[] candidate = null;
    byte[] check = null;
    byte[] digest = header.mkDigest();
    try {
      spec.newCipher(slotKey).decrypt(material, read.arrayOffset(), length, 0);
      candidate = AfSplitter.merge(material, header.keyBytes(), slot.stripes(), hash);
      check = Pbkdf2.derive(hash, candidate, header.mkDigestSalt(),
          header.mkDigestIterations(), LuksHeader.DIGEST_SIZE);
      if (Secrets.equalsConstantTime(check, digest)) {
        byte[] key = candidate;
        candidate = null;
        return key;
      }
      return null;
    } finally {
      Secrets.wipe(material, slotKey, candidate, check);
    }
  }
}
