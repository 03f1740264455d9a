package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.crypto.SectorCipher.Mode;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.util.Locale;

/**
 * A payload cipher as a LUKS1 header names it: cipher-name ({@code aes}, or {@code twofish},
 * {@code serpent}, {@code cast5} from a provider module) and cipher-mode ({@code xts-plain64},
 * {@code cbc-essiv:sha256}, {@code cbc-plain}, {@code ecb-plain64}, {@code ctr-plain64}...),
 * checked against the header's key-bytes. The legacy qcow2 AES method is {@code aes},
 * {@code cbc-plain64} with a 16-byte key.
 *
 * @param cipher the block cipher family
 * @param mode the chaining mode (XTS: the key is two keys of the cipher)
 * @param ivMode {@code plain}, {@code plain64} or {@code essiv} ({@code plain64} for a bare ECB)
 * @param essivHash the hash of ESSIV, or null
 * @param keyBytes the master key's length
 */
record CipherSpec(LuksCipher cipher, Mode mode, String ivMode, LuksHash essivHash, int keyBytes) {

  static final CipherSpec LEGACY_AES = new CipherSpec(false, "plain64", null, 16);

  /** AES in XTS or CBC. */
  CipherSpec(boolean xts, String ivMode, LuksHash essivHash, int keyBytes) {
    this(LuksCipher.AES, xts ? Mode.XTS : Mode.CBC, ivMode, essivHash, keyBytes);
  }

  /** {@code what} names the image in errors. */
  static CipherSpec parse(String cipherName, String cipherMode, int keyBytes, String what)
      throws UnsupportedImageException {
    LuksCipher cipher = Algorithms.cipher(cipherName, what);
    String mode = cipherMode.toLowerCase(Locale.ROOT);
    int dash = mode.indexOf('-');
    String chain = dash < 0 ? mode : mode.substring(0, dash);
    String iv = dash < 0 ? "" : mode.substring(dash + 1);
    Mode m = switch (chain) {
      case "xts" -> Mode.XTS;
      case "cbc" -> Mode.CBC;
      case "ecb" -> Mode.ECB;
      case "ctr" -> Mode.CTR;
      default -> throw new UnsupportedImageException(what + ": LUKS cipher mode '" + cipherMode
          + "' is not supported (xts, cbc, ecb and ctr are)");
    };
    if (m == Mode.XTS && cipher.blockSize() != 16) {
      throw new UnsupportedImageException(what + ": LUKS cipher mode '" + cipherMode
          + "' needs a 16-byte block cipher; " + cipher + " has " + cipher.blockSize() + "-byte "
          + "blocks");
    }
    LuksHash essiv = null;
    String ivMode;
    if (iv.equals("plain") || iv.equals("plain64")) {
      ivMode = iv;
    } else if (iv.isEmpty() && m == Mode.ECB) {
      ivMode = "plain64";
    } else if (iv.startsWith("essiv:")) {
      ivMode = "essiv";
      String h = iv.substring("essiv:".length());
      LuksHash hash = Algorithms.hash(h).orElseThrow(() -> new UnsupportedImageException(
          what + ": " + Algorithms.missingHash("ESSIV hash", h)));
      if (!cipher.isKeyLength(hash.length())) {
        throw new UnsupportedImageException(what + ": ESSIV hash '" + h + "' gives "
            + hash.length() + " bytes, which is no " + cipher + " key (md5 or sha256 are)");
      }
      essiv = hash;
    } else {
      throw new UnsupportedImageException(what + ": LUKS IV generator '" + iv
          + "' of cipher mode '" + cipherMode + "' is not supported (plain, plain64, essiv)");
    }
    int single = m == Mode.XTS ? keyBytes / 2 : keyBytes;
    if ((m == Mode.XTS && keyBytes % 2 != 0) || !cipher.isKeyLength(single)) {
      throw new UnsupportedImageException(what + ": LUKS key-bytes " + keyBytes
          + " does not fit " + cipher + "-" + chain);
    }
    return new CipherSpec(cipher, m, ivMode, essiv, keyBytes);
  }

  /** XTS (the key is two keys) rather than a one-key mode. */
  boolean xts() {
    return mode == Mode.XTS;
  }

  /** A cipher for this spec under {@code key}, for one thread. */
  SectorCipher newCipher(byte[] key) {
    if (key.length != keyBytes) {
      throw new IllegalArgumentException("key of " + key.length + " bytes, not " + keyBytes);
    }
    IvGenerator iv = switch (ivMode) {
      case "plain" -> IvGenerator.plain();
      case "plain64" -> IvGenerator.plain64();
      default -> IvGenerator.essiv(cipher, essivHash, key);
    };
    return new SectorCipher(cipher, mode, key, iv);
  }

  /** As cryptsetup prints it: {@code aes-xts-plain64}. */
  String describe() {
    return cipher + "-" + mode.name().toLowerCase(Locale.ROOT) + "-"
        + (essivHash == null ? ivMode : "essiv:" + essivHash.luksName()) + " (" + keyBytes * 8
        + "-bit key)";
  }
}
