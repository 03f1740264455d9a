package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The LUKS1 partition header (592 bytes, big-endian) at the start of a qcow2 image's encryption
 * area: cipher, mode and hash names, payload offset, key-bytes, the master key digest with its
 * salt and iterations, the UUID and eight key slots. Parsed from untrusted bytes: every field is
 * bounded before anything is sized by it, and a bad one is a {@link CorruptImageException} naming
 * the field and its offset in the image file.
 *
 * @param areaOffset where the LUKS area starts in the image file (for messages)
 * @param payloadSector the payload-offset field, in sectors (qcow2 maps its payload itself)
 */
record LuksHeader(long areaOffset, String cipherName, String cipherMode, String hashSpec,
    long payloadSector, int keyBytes, byte[] mkDigest, byte[] mkDigestSalt,
    int mkDigestIterations, String uuid, List<LuksKeySlot> slots) {

  static final int SIZE = 592;
  static final int SLOTS = 8;
  static final int DIGEST_SIZE = 20;
  /** The stripes every LUKS1 writer uses; QEMU refuses any other count. */
  static final int STRIPES = 4000;
  /** Longest master key accepted (AES-256-XTS has 64 bytes). */
  static final int MAX_KEY_BYTES = 64;
  /**
   * Most PBKDF2 iterations accepted per field: far above what a 2-second iteration time gives
   * today (a few million), low enough that a hostile header cannot hold a reader for hours.
   */
  static final int MAX_ITERATIONS = 1 << 24;
  private static final byte[] MAGIC = {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe};
  private static final int HEADER_SECTORS = (SIZE + 511) / 512;

  LuksHeader {
    mkDigest = mkDigest.clone();
    mkDigestSalt = mkDigestSalt.clone();
    slots = List.copyOf(slots);
  }

  @Override
  public byte[] mkDigest() {
    return mkDigest.clone();
  }

  @Override
  public byte[] mkDigestSalt() {
    return mkDigestSalt.clone();
  }

  /**
   * Parses the header from {@code b} (at least {@link #SIZE} bytes from its position) found at
   * {@code areaOffset} in the image file, whose LUKS area is {@code areaLength} bytes long.
   */
  static LuksHeader parse(ByteBuffer b, long areaOffset, long areaLength) throws IOException {
    if (b.remaining() < SIZE || areaLength < SIZE) {
      throw new CorruptImageException("LUKS header", areaOffset,
          "the encryption area of " + Math.min(b.remaining(), areaLength)
              + " bytes cannot hold the " + SIZE + "-byte LUKS header");
    }
    int p = b.position();
    byte[] magic = new byte[6];
    b.get(p, magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptImageException("LUKS header magic", areaOffset,
          "expected LUKS\\xba\\xbe, found " + hex(magic));
    }
    int version = Short.toUnsignedInt(b.getShort(p + 6));
    if (version != 1) {
      throw new UnsupportedImageException("LUKS header at offset 0x" + Long.toHexString(areaOffset)
          + ": LUKS version " + version + " is not supported (qcow2 images use LUKS1)");
    }
    String cipherName = string(b, p + 8, 32, "cipher-name", areaOffset);
    String cipherMode = string(b, p + 40, 32, "cipher-mode", areaOffset);
    String hashSpec = string(b, p + 72, 32, "hash-spec", areaOffset);
    long payload = Integer.toUnsignedLong(b.getInt(p + 104));
    long keyBytes = Integer.toUnsignedLong(b.getInt(p + 108));
    if (keyBytes < 1 || keyBytes > MAX_KEY_BYTES) {
      throw field("key-bytes", areaOffset, 108,
          keyBytes + " is not a key length from 1 to " + MAX_KEY_BYTES);
    }
    byte[] digest = new byte[DIGEST_SIZE];
    b.get(p + 112, digest);
    byte[] digestSalt = new byte[32];
    b.get(p + 132, digestSalt);
    int digestIterations = iterations(b.getInt(p + 164), "mk-digest-iter", areaOffset, 164);
    String uuid = string(b, p + 168, 40, "uuid", areaOffset);
    List<LuksKeySlot> slots = new ArrayList<>(SLOTS);
    for (int i = 0; i < SLOTS; i++) {
      slots.add(slot(b, p, i, (int) keyBytes, payload, areaOffset, areaLength));
    }
    checkOverlaps(slots, (int) keyBytes, areaOffset);
    return new LuksHeader(areaOffset, cipherName, cipherMode, hashSpec, payload, (int) keyBytes,
        digest, digestSalt, digestIterations, uuid, slots);
  }

  private static LuksKeySlot slot(ByteBuffer b, int p, int i, int keyBytes, long payload,
      long areaOffset, long areaLength) throws IOException {
    int at = 208 + i * LuksKeySlot.SIZE;
    String name = "key slot " + i;
    int state = b.getInt(p + at);
    if (state != LuksKeySlot.ENABLED && state != LuksKeySlot.DISABLED) {
      throw field(name + " active", areaOffset, at, String.format(
          "0x%08x is neither enabled (0x00ac71f3) nor disabled (0x0000dead)", state));
    }
    boolean active = state == LuksKeySlot.ENABLED;
    int iterations = b.getInt(p + at + 4);
    if (active) {
      iterations = iterations(iterations, name + " iterations", areaOffset, at + 4);
    }
    byte[] salt = new byte[LuksKeySlot.SALT_SIZE];
    b.get(p + at + 8, salt);
    long sector = Integer.toUnsignedLong(b.getInt(p + at + 40));
    long stripes = Integer.toUnsignedLong(b.getInt(p + at + 44));
    if (stripes != STRIPES) {
      throw field(name + " stripes", areaOffset, at + 44,
          stripes + " stripes; LUKS1 key slots have " + STRIPES);
    }
    LuksKeySlot slot = new LuksKeySlot(i, active, iterations, salt, sector, (int) stripes);
    if (sector < HEADER_SECTORS) {
      throw field(name + " key-material-offset", areaOffset, at + 40,
          "sector " + sector + " overlaps the LUKS header");
    }
    long end = sector + slot.materialSectors(keyBytes);
    if (end > payload) {
      throw field(name + " key-material-offset", areaOffset, at + 40, "material in sectors "
          + sector + ".." + (end - 1) + " overlaps the payload at sector " + payload);
    }
    if (end * 512 > areaLength) {
      throw field(name + " key-material-offset", areaOffset, at + 40, "material in sectors "
          + sector + ".." + (end - 1) + " lies past the encryption area of " + areaLength
          + " bytes");
    }
    return slot;
  }

  private static void checkOverlaps(List<LuksKeySlot> slots, int keyBytes, long areaOffset)
      throws CorruptImageException {
    for (LuksKeySlot a : slots) {
      for (LuksKeySlot c : slots) {
        if (a.index() < c.index()
            && a.materialSector() < c.materialSector() + c.materialSectors(keyBytes)
            && c.materialSector() < a.materialSector() + a.materialSectors(keyBytes)) {
          throw field("key slot " + c.index() + " key-material-offset", areaOffset,
              208 + c.index() * LuksKeySlot.SIZE + 40,
              "material overlaps that of key slot " + a.index());
        }
      }
    }
  }

  private static int iterations(int raw, String name, long areaOffset, int at)
      throws CorruptImageException {
    long v = Integer.toUnsignedLong(raw);
    if (v < 1 || v > MAX_ITERATIONS) {
      throw field(name, areaOffset, at, v + " iterations; expected 1 to " + MAX_ITERATIONS);
    }
    return (int) v;
  }

  /** A NUL-terminated ASCII field; no terminator inside the field is corruption. */
  private static String string(ByteBuffer b, int at, int size, String name, long areaOffset)
      throws CorruptImageException {
    byte[] raw = new byte[size];
    b.get(at, raw);
    int n = 0;
    while (n < size && raw[n] != 0) {
      if (raw[n] < 0x20 || raw[n] > 0x7e) {
        throw field(name, areaOffset, at - b.position(),
            "byte 0x" + Integer.toHexString(raw[n] & 0xff) + " at " + n + " is not printable");
      }
      n++;
    }
    if (n == size) {
      throw field(name, areaOffset, at - b.position(), "no NUL terminator in " + size + " bytes");
    }
    return new String(raw, 0, n, StandardCharsets.US_ASCII);
  }

  private static CorruptImageException field(String name, long areaOffset, int at,
      String problem) {
    return new CorruptImageException("LUKS header field " + name, areaOffset + at, problem);
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }

  /** The 592 bytes of this header, as {@link #parse} reads them. */
  byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.put(MAGIC).putShort((short) 1);
    putString(b, cipherName, 32);
    putString(b, cipherMode, 32);
    putString(b, hashSpec, 32);
    b.putInt((int) payloadSector).putInt(keyBytes).put(mkDigest).put(mkDigestSalt)
        .putInt(mkDigestIterations);
    putString(b, uuid, 40);
    for (LuksKeySlot s : slots) {
      b.putInt(s.active() ? LuksKeySlot.ENABLED : LuksKeySlot.DISABLED).putInt(s.iterations())
          .put(s.salt()).putInt((int) s.materialSector()).putInt(s.stripes());
    }
    return b.array();
  }

  /** A NUL-padded field; the value must leave room for the terminator. */
  private static void putString(ByteBuffer b, String value, int size) {
    byte[] raw = value.getBytes(StandardCharsets.US_ASCII);
    if (raw.length >= size) {
      throw new IllegalArgumentException("'" + value + "' does not fit " + size + " bytes");
    }
    b.put(raw).put(new byte[size - raw.length]);
  }

  /** The cipher the payload and the key material use. */
  CipherSpec cipher(String what) throws UnsupportedImageException {
    return CipherSpec.parse(cipherName, cipherMode, keyBytes, what);
  }

  /** The hash of PBKDF2 and AF-merge. */
  LuksHash hash(String what) throws UnsupportedImageException {
    return LuksHash.byName(hashSpec).orElseThrow(() -> new UnsupportedImageException(
        what + ": " + Algorithms.missingHash("LUKS hash-spec", hashSpec)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LuksHeader h && h.areaOffset == areaOffset
        && h.cipherName.equals(cipherName) && h.cipherMode.equals(cipherMode)
        && h.hashSpec.equals(hashSpec) && h.payloadSector == payloadSector
        && h.keyBytes == keyBytes && Arrays.equals(h.mkDigest, mkDigest)
        && Arrays.equals(h.mkDigestSalt, mkDigestSalt)
        && h.mkDigestIterations == mkDigestIterations && h.uuid.equals(uuid)
        && h.slots.equals(slots);
  }

  @Override
  public int hashCode() {
    return uuid.hashCode() * 31 + Arrays.hashCode(mkDigest);
  }

  @Override
  public String toString() {
    return "LuksHeader[" + cipherName + "-" + cipherMode + ", hash " + hashSpec + ", key-bytes "
        + keyBytes + ", uuid " + uuid + ", payload sector " + payloadSector + ", " + slots + "]";
  }
}
