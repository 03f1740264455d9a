package io.github.qcow2nio.fat.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One VFAT long-name entry: 13 UCS-2 characters of a long name, its place in the sequence and
 * the checksum of the short name it belongs to.
 *
 * @param order the sequence number 1..20, with 0x40 set on the last (first stored) entry
 */
public record LfnEntry(int order, int checksum, char[] chars) {
  public static final int CHARS = 13;
  private static final int[] OFFSETS = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

  public static boolean isLfn(ByteBuffer b, int off) {
    return (b.get(off + 11) & 0x3f) == ShortEntry.LONG_NAME;
  }

  public static LfnEntry parse(ByteBuffer b, int off) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    char[] c = new char[CHARS];
    for (int i = 0; i < CHARS; i++) {
      c[i] = s.getChar(off + OFFSETS[i]);
    }
    return new LfnEntry(s.get(off) & 0xff, s.get(off + 13) & 0xff, c);
  }

  public void serialize(ByteBuffer b, int off) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < ShortEntry.SIZE; i++) {
      s.put(off + i, (byte) 0);
    }
    s.put(off, (byte) order);
    for (int i = 0; i < CHARS; i++) {
      s.putChar(off + OFFSETS[i], chars[i]);
    }
    s.put(off + 11, (byte) ShortEntry.LONG_NAME);
    s.put(off + 13, (byte) checksum);
  }

  /** The entries for {@code name}, in on-disk order (last part first). */
  public static LfnEntry[] forName(String name, int checksum) {
    int count = (name.length() + CHARS - 1) / CHARS;
    LfnEntry[] out = new LfnEntry[count];
    for (int k = 0; k < count; k++) {
      char[] c = new char[CHARS];
      for (int i = 0; i < CHARS; i++) {
        int at = k * CHARS + i;
        // A name that ends inside an entry ends with NUL, and the rest is 0xFFFF padding.
        c[i] = at < name.length() ? name.charAt(at) : at == name.length() ? 0 : (char) 0xFFFF;
      }
      int order = (k + 1) | (k == count - 1 ? 0x40 : 0);
      out[count - 1 - k] = new LfnEntry(order, checksum, c);
    }
    return out;
  }

  /** The checksum a long name carries of its short entry's 11 name bytes. */
  public static int checksum(byte[] shortName) {
    int sum = 0;
    for (int i = 0; i < 11; i++) {
      sum = (((sum & 1) << 7) + (sum >>> 1) + (shortName[i] & 0xff)) & 0xff;
    }
    return sum;
  }
}
