package io.github.qcow2nio.fat.volume;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * 8.3 names: which long names need a long-name entry, the short alias generated for one
 * (upper-cased basis, invalid characters as '_', a "~N" tail when lossy or taken) and how a
 * stored short name reads back (with the NT lower-case flags).
 */
public final class ShortNames {
  private ShortNames() {}

  private static final String SPECIAL = "$%'-_@~`!(){}^#&";
  private static final String FORBIDDEN = "\"*/:<>?\\|";
  private static final Charset OEM = oem();

  private static Charset oem() {
    try {
      return Charset.forName("IBM437");
    } catch (RuntimeException e) {
      return StandardCharsets.ISO_8859_1;
    }
  }

  /** Why {@code name} cannot name a file, or null when it can. */
  public static String invalidReason(String name) {
    if (name.isEmpty() || name.length() > 255) {
      return "a FAT name has 1 to 255 characters";
    }
    if (name.equals(".") || name.equals("..")) {
      return "'.' and '..' are not file names";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || FORBIDDEN.indexOf(c) >= 0) {
        return "a FAT name has no control characters nor any of " + FORBIDDEN;
      }
    }
    char last = name.charAt(name.length() - 1);
    if (last == '.' || last == ' ') {
      return "a FAT name does not end in '.' or ' '";
    }
    return null;
  }

  private static boolean shortChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || SPECIAL.indexOf(c) >= 0;
  }

  /**
   * The 11 bytes and NT case flags storing {@code name} exactly as a short entry alone (a valid
   * 8.3 name whose base and extension are each in one case), or null when it needs a long name.
   */
  public static Stored exact(String name) {
    int dot = name.lastIndexOf('.');
    String base = dot < 0 ? name : name.substring(0, dot);
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    if (base.isEmpty() || base.length() > 8 || ext.length() > 3 || base.indexOf('.') >= 0
        || (dot >= 0 && ext.isEmpty())) {
      return null;
    }
    int flags = 0;
    String[] parts = {base, ext};
    for (int p = 0; p < 2; p++) {
      String part = parts[p];
      String upper = part.toUpperCase(Locale.ROOT);
      for (int i = 0; i < upper.length(); i++) {
        if (!shortChar(upper.charAt(i))) {
          return null;
        }
      }
      if (!part.equals(upper)) {
        if (!part.equals(part.toLowerCase(Locale.ROOT))) {
          return null;
        }
        flags |= p == 0 ? ShortEntry.LOWER_BASE : ShortEntry.LOWER_EXT;
      }
    }
    return new Stored(pad(base.toUpperCase(Locale.ROOT), ext.toUpperCase(Locale.ROOT)), flags);
  }

  /** 11 stored bytes and the case flags that go with them. */
  public record Stored(byte[] name, int caseFlags) {}

  /** A short alias for a name that needs a long-name entry, unique among {@code taken}. */
  public static byte[] generate(String name, Set<String> taken) {
    String s = name.toUpperCase(Locale.ROOT);
    boolean lossy = false;
    int lead = 0;
    while (lead < s.length() && (s.charAt(lead) == '.' || s.charAt(lead) == ' ')) {
      lead++;
    }
    lossy |= lead > 0;
    s = s.substring(lead);
    int dot = s.lastIndexOf('.');
    String base = clean(dot < 0 ? s : s.substring(0, dot));
    String ext = clean(dot < 0 ? "" : s.substring(dot + 1));
    String rawBase = dot < 0 ? s : s.substring(0, dot);
    String rawExt = dot < 0 ? "" : s.substring(dot + 1);
    lossy |= !base.equals(rawBase) || !ext.equals(rawExt) || base.length() > 8
        || ext.length() > 3;
    if (base.isEmpty()) {
      base = "_";
      lossy = true;
    }
    base = base.length() > 8 ? base.substring(0, 8) : base;
    ext = ext.length() > 3 ? ext.substring(0, 3) : ext;
    if (!lossy) {
      byte[] plain = pad(base, ext);
      if (!taken.contains(key(plain))) {
        return plain;
      }
    }
    for (int n = 1; n < 1_000_000; n++) {
      String tail = "~" + n;
      String b = base.substring(0, Math.min(base.length(), 8 - tail.length())) + tail;
      byte[] candidate = pad(b, ext);
      if (!taken.contains(key(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free short name for " + name);
  }

  /** Upper-case valid short characters only; the rest become '_' and spaces and dots vanish. */
  private static String clean(String part) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == ' ' || c == '.') {
        continue;
      }
      b.append(shortChar(c) ? c : '_');
    }
    return b.toString();
  }

  private static byte[] pad(String base, String ext) {
    byte[] out = String.format("%-8s%-3s", base, ext).getBytes(StandardCharsets.US_ASCII);
    return out;
  }

  /** A comparable form of stored name bytes (for uniqueness sets). */
  public static String key(byte[] stored) {
    return new String(stored, StandardCharsets.ISO_8859_1);
  }

  /** How a stored short name reads: "BASE.EXT" with NT lower-case flags applied. */
  public static String display(byte[] stored, int caseFlags) {
    byte[] b = stored.clone();
    if ((b[0] & 0xff) == 0x05) {
      b[0] = (byte) 0xE5;
    }
    String base = new String(b, 0, 8, OEM).stripTrailing();
    String ext = new String(b, 8, 3, OEM).stripTrailing();
    if ((caseFlags & ShortEntry.LOWER_BASE) != 0) {
      base = base.toLowerCase(Locale.ROOT);
    }
    if ((caseFlags & ShortEntry.LOWER_EXT) != 0) {
      ext = ext.toLowerCase(Locale.ROOT);
    }
    return ext.isEmpty() ? base : base + "." + ext;
  }
}
