package io.github.qcow2nio.format;

import io.github.qcow2nio.format.crypto.LuksHeaderFields;
import java.util.ArrayList;
import java.util.List;

/**
 * How an image is encrypted, as far as its headers say without the passphrase: what
 * {@code qemu-img info} shows under "encrypt", with ciphers and hashes by QEMU's names and offsets
 * in bytes. Never any key material.
 *
 * @param format "luks" (crypt_method 2) or "aes" (the legacy method 1)
 * @param luks the LUKS header's fields, or null for "aes", whose header holds nothing more
 */
public record EncryptionInfo(String format, Luks luks) {

  /**
   * A LUKS1 header.
   *
   * @param cipherAlg QEMU's cipher name with its key size, as {@code aes-256}
   * @param cipherMode the chaining mode, as {@code xts} or {@code cbc}
   * @param ivgenAlg the IV generator, as {@code plain64} or {@code essiv}
   * @param ivgenHashAlg ESSIV's hash, or null for the other generators
   * @param hashAlg the hash of PBKDF2 and the anti-forensic splitter
   * @param payloadOffset where the encrypted payload would start, in bytes from the LUKS area
   *     (qcow2 maps its payload itself; QEMU shows the field all the same)
   * @param masterKeyIters PBKDF2 iterations of the master key digest
   */
  public record Luks(String cipherAlg, String cipherMode, String ivgenAlg, String ivgenHashAlg,
      String hashAlg, String uuid, List<KeySlot> slots, long payloadOffset,
      long masterKeyIters) {
    public Luks {
      slots = List.copyOf(slots);
    }
  }

  /**
   * One of the eight key slots.
   *
   * @param iters PBKDF2 iterations (meaningful for an active slot only)
   * @param keyOffset where its key material starts, in bytes from the LUKS area
   */
  public record KeySlot(boolean active, long iters, long keyOffset, long stripes) {}

  static EncryptionInfo aes() {
    return new EncryptionInfo("aes", null);
  }

  static EncryptionInfo luks(LuksHeaderFields h) {
    // The mode field reads "chain-ivgen[:hash]", as in "xts-plain64" or "cbc-essiv:sha256".
    String mode = h.cipherMode();
    String ivgen = "";
    String ivgenHash = null;
    int dash = mode.indexOf('-');
    if (dash >= 0) {
      ivgen = mode.substring(dash + 1);
      mode = mode.substring(0, dash);
      int colon = ivgen.indexOf(':');
      if (colon >= 0) {
        ivgenHash = ivgen.substring(colon + 1);
        ivgen = ivgen.substring(0, colon);
      }
    }
    // An XTS key holds two cipher keys of half its length.
    int keyBits = (mode.equals("xts") ? h.keyBytes() / 2 : h.keyBytes()) * 8;
    List<KeySlot> slots = new ArrayList<>();
    for (LuksHeaderFields.Slot s : h.slots()) {
      slots.add(new KeySlot(s.active(), Integer.toUnsignedLong(s.iterations()),
          s.materialSector() * 512, Integer.toUnsignedLong(s.stripes())));
    }
    return new EncryptionInfo("luks", new Luks(cipherAlg(h.cipherName(), keyBits), mode, ivgen,
        ivgenHash, h.hashSpec(), h.uuid(), slots, h.payloadSector() * 512,
        Integer.toUnsignedLong(h.mkDigestIterations())));
  }

  /** QEMU's name for a cipher: the algorithm and, where it has several sizes, its key size. */
  private static String cipherAlg(String name, int keyBits) {
    return switch (name) {
      case "aes", "serpent", "twofish" -> name + "-" + keyBits;
      case "cast5" -> "cast5-128";
      case "des3_ede" -> "3des";
      default -> name;
    };
  }
}
