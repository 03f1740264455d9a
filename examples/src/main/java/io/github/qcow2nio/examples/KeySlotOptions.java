package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.KeySlotChange;
import java.math.BigInteger;
import java.util.Map;

/**
 * {@code amend}'s {@code encrypt.*} options read as qemu-img 7.2 reads them: numbers first as its
 * option parser takes them (any base, a sign wrapping round, "expects a number" or "is too large"
 * with the full name), then as the LUKS options take them (a 64-bit integer, "expects integer"
 * with the short name); {@code encrypt.state} is judged once the image is known to be LUKS; the
 * secrets the change names are looked up only when the core needs them, so "No secret with id"
 * comes where qemu-img says it.
 */
final class KeySlotOptions {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private KeySlotOptions() {}

  /** Checks an {@code encrypt.keyslot} or {@code encrypt.iter-time} value as it is parsed. */
  static void checkNumber(String key, String value) throws ToolError {
    BigInteger n = number(value);
    if (n == null) {
      throw ToolError.of("Parameter '" + key + "' expects a number");
    }
    if (n.abs().compareTo(TWO_64) >= 0) {
      throw ToolError.of("Value '" + value + "' is too large for parameter '" + key + "'");
    }
  }

  /** The change the pairs ask for; call after {@link #checkNumber} accepted them. */
  static KeySlotChange change(Map<String, String> encrypt, SecretObjects secrets, boolean force)
      throws ToolError {
    String state = encrypt.get("encrypt.state");
    KeySlotChange.State s = null;
    if (state != null) {
      s = switch (state) {
        case "active" -> KeySlotChange.State.ACTIVE;
        case "inactive" -> KeySlotChange.State.INACTIVE;
        default -> throw ToolError.of("Parameter 'state' does not accept value '" + state + "'");
      };
    }
    KeySlotChange.Builder b = KeySlotChange.builder(s).force(force);
    if (encrypt.containsKey("encrypt.keyslot")) {
      b.keyslot((int) integer("keyslot", encrypt.get("encrypt.keyslot")));
    }
    if (encrypt.containsKey("encrypt.iter-time")) {
      b.iterTimeMs(integer("iter-time", encrypt.get("encrypt.iter-time")));
    }
    if (encrypt.containsKey("encrypt.new-secret")) {
      b.newSecret(lazy(secrets, encrypt.get("encrypt.new-secret")));
    }
    if (encrypt.containsKey("encrypt.old-secret")) {
      b.oldSecret(lazy(secrets, encrypt.get("encrypt.old-secret")));
    }
    return b.build();
  }

  /** The message the core gives for a secret {@link #lazy} could not find, in qemu-img's words. */
  static String secretMessage(String coreMessage) {
    String prefix = "key secret: ";
    return coreMessage.startsWith(prefix + "No secret with id '")
        ? coreMessage.substring(prefix.length()) : coreMessage;
  }

  /** The secret {@code id}, fetched when the core asks; an unknown id fails then. */
  private static KeySecret lazy(SecretObjects secrets, String id) {
    return KeySecret.from(() -> secrets.copy(id).orElseThrow(
        () -> new IllegalStateException("No secret with id '" + id + "'")));
  }

  /** The value as a signed 64-bit integer in any base, as the LUKS options take it. */
  private static long integer(String shortName, String value) throws ToolError {
    BigInteger n = number(value);
    if (n == null || n.bitLength() > 63) {
      throw ToolError.of("Parameter '" + shortName + "' expects integer");
    }
    return n.longValue();
  }

  /** Decimal, 0x hexadecimal or 0 octal, with an optional sign; null when not a number. */
  private static BigInteger number(String value) {
    String t = value.stripLeading();
    boolean negative = t.startsWith("-");
    if (negative || t.startsWith("+")) {
      t = t.substring(1);
    }
    int radix = 10;
    if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
      radix = 16;
      t = t.substring(2);
    } else if (t.length() > 1 && t.startsWith("0")) {
      radix = 8;
      t = t.substring(1);
    }
    int r = radix;
    if (t.isEmpty() || !t.chars().allMatch(c -> c < 128 && Character.digit(c, r) >= 0)) {
      return null;
    }
    BigInteger n = new BigInteger(t, radix);
    return negative ? n.negate() : n;
  }
}
