package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.util.Locale;

/**
 * A payload cipher as a LUKS1 header names it: cipher-name ({@code aes}) and cipher-mode
 * ({@code xts-plain64}, {@code cbc-essiv:sha256}, {@code cbc-plain64}, {@code cbc-plain}...),
 * checked against the header's key-bytes. The legacy qcow2 AES method is {@code aes},
 * {@code cbc-plain64} with a 16-byte key.
 *
 * @param xts XTS (the key is two AES keys) rather than CBC
 * @param ivMode {@code plain}, {@code plain64} or {@code essiv}
 * @param essivHash the hash of ESSIV, or null
 * @param keyBytes the master key's length
 */
record CipherSpec(boolean xts, String ivMode, LuksHash essivHash, int keyBytes) {

  static final CipherSpec LEGACY_AES = new CipherSpec(false, "plain64", null, 16);

  /** {@code what} names the image in errors. */
  static CipherSpec parse(String cipherName, String cipherMode, int keyBytes, String what)
      throws UnsupportedImageException {
    String name = cipherName.toLowerCase(Locale.ROOT);
    String mode = cipherMode.toLowerCase(Locale.ROOT);
    if (!name.equals("aes")) {
      throw new UnsupportedImageException(what + ": LUKS cipher '" + cipherName
          + "' is not supported (only aes)");
    }
    int dash = mode.indexOf('-');
    String chain = dash < 0 ? mode : mode.substring(0, dash);
    String iv = dash < 0 ? "" : mode.substring(dash + 1);
    boolean xts = switch (chain) {
      case "xts" -> true;
      case "cbc" -> false;
      default -> throw new UnsupportedImageException(what + ": LUKS cipher mode '" + cipherMode
          + "' is not supported (xts and cbc are)");
    };
    LuksHash essiv = null;
    String ivMode;
    if (iv.equals("plain") || iv.equals("plain64")) {
      ivMode = iv;
    } else if (iv.startsWith("essiv:")) {
      ivMode = "essiv";
      String h = iv.substring("essiv:".length());
      essiv = LuksHash.byName(h).filter(x -> Aes.validKeyLength(x.length())).orElseThrow(
          () -> new UnsupportedImageException(what + ": ESSIV hash '" + h
              + "' is not supported (its digest must be an AES key: sha256)"));
    } else {
      throw new UnsupportedImageException(what + ": LUKS IV generator '" + iv
          + "' of cipher mode '" + cipherMode + "' is not supported (plain, plain64, essiv)");
    }
    int aesKey = xts ? keyBytes / 2 : keyBytes;
    if ((xts && keyBytes % 2 != 0) || !Aes.validKeyLength(aesKey)) {
      throw new UnsupportedImageException(what + ": LUKS key-bytes " + keyBytes
          + " does not fit aes-" + chain + " (" + (xts ? "32, 48 or 64" : "16, 24 or 32") + ")");
    }
    return new CipherSpec(xts, ivMode, essiv, keyBytes);
  }

  /** A cipher for this spec under {@code key}, for one thread. */
  SectorCipher newCipher(byte[] key) {
    if (key.length != keyBytes) {
      throw new IllegalArgumentException("key of " + key.length + " bytes, not " + keyBytes);
    }
    IvGenerator iv = switch (ivMode) {
      case "plain" -> IvGenerator.plain();
      case "plain64" -> IvGenerator.plain64();
      default -> IvGenerator.essiv(essivHash, key);
    };
    return new SectorCipher(xts, key, iv);
  }

  /** As cryptsetup prints it: {@code aes-xts-plain64}. */
  String describe() {
    return "aes-" + (xts ? "xts" : "cbc") + "-"
        + (essivHash == null ? ivMode : "essiv:" + essivHash.luksName()) + " (" + keyBytes * 8
        + "-bit key)";
  }
}
