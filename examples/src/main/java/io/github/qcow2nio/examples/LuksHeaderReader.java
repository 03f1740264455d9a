package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.io.StructReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the LUKS (version 1) header of a LUKS-encrypted qcow2 image, for the fields qemu-img info
 * shows. Nothing is decrypted and no key is needed.
 */
final class LuksHeaderReader {
  private static final byte[] MAGIC = {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE};
  private static final int LENGTH = 592;
  private static final int KEY_SLOTS = 8;
  private static final int SLOT_ACTIVE = 0x00AC71F3;
  private static final int SECTOR = 512;

  private LuksHeaderReader() {}

  static ImageInfo.Luks read(HostFile file, CryptoHeaderPointer pointer) throws IOException {
    String what = "LUKS header";
    if (pointer.length() < LENGTH) {
      throw new CorruptImageException(what, pointer.offset(),
          "encryption header of " + pointer.length() + " bytes; a LUKS header needs " + LENGTH);
    }
    ByteBuffer b = new StructReader(file, file.size()).read(what, pointer.offset(), LENGTH);
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(i) != MAGIC[i]) {
        throw new CorruptImageException(what, pointer.offset(), "no LUKS magic");
      }
    }
    int version = b.getShort(6) & 0xFFFF;
    if (version != 1) {
      throw new CorruptImageException(what, pointer.offset() + 6,
          "LUKS version " + version + "; expected 1");
    }
    String cipherName = text(b, 8, 32);
    String cipherMode = text(b, 40, 32);
    String hashSpec = text(b, 72, 32);
    long payloadOffset = Integer.toUnsignedLong(b.getInt(104)) * SECTOR;
    int keyBytes = b.getInt(108);
    long masterKeyIters = Integer.toUnsignedLong(b.getInt(164));
    String uuid = text(b, 168, 40);

    // The mode field reads "mode-ivgen[:ivgen hash]", as in "xts-plain64" or "cbc-essiv:sha256".
    String mode = cipherMode;
    String ivgen = "";
    String ivgenHash = null;
    int dash = cipherMode.indexOf('-');
    if (dash >= 0) {
      mode = cipherMode.substring(0, dash);
      ivgen = cipherMode.substring(dash + 1);
      int colon = ivgen.indexOf(':');
      if (colon >= 0) {
        ivgenHash = ivgen.substring(colon + 1);
        ivgen = ivgen.substring(0, colon);
      }
    }
    // XTS keys hold two cipher keys of half the length each.
    int cipherKeyBits = (mode.equals("xts") ? keyBytes / 2 : keyBytes) * 8;

    List<ImageInfo.LuksSlot> slots = new ArrayList<>();
    for (int i = 0; i < KEY_SLOTS; i++) {
      int at = 208 + 48 * i;
      slots.add(new ImageInfo.LuksSlot(b.getInt(at) == SLOT_ACTIVE,
          Integer.toUnsignedLong(b.getInt(at + 4)),
          Integer.toUnsignedLong(b.getInt(at + 40)) * SECTOR,
          Integer.toUnsignedLong(b.getInt(at + 44))));
    }
    return new ImageInfo.Luks(ivgen, hashSpec, cipherAlgorithm(cipherName, cipherKeyBits), uuid,
        ivgenHash, mode, slots, payloadOffset, masterKeyIters);
  }

  /** QEMU's name for a cipher: the algorithm and, where it has several, its key size. */
  private static String cipherAlgorithm(String name, int keyBits) {
    return switch (name) {
      case "aes", "serpent", "twofish" -> name + "-" + keyBits;
      case "cast5" -> "cast5-128";
      case "des3_ede" -> "3des";
      default -> name;
    };
  }

  /** A NUL-padded ASCII field. */
  private static String text(ByteBuffer b, int at, int length) {
    int end = at;
    while (end < at + length && b.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - at];
    b.get(at, bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
