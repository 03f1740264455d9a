package io.github.qcow2nio.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.security.auth.Destroyable;

/**
 * The passphrase of an encrypted image (QEMU's {@code encrypt.key-secret}), as the bytes QEMU
 * would take: characters are encoded as UTF-8, bytes are used as they are.
 *
 * <p>Handled as a security library handles secrets: an array given here is copied (the caller
 * may wipe its own at once) and the copy is wiped by {@link #destroy()}; a {@link Supplier} is
 * asked each time the secret is needed and every array it returns is wiped after that use; every
 * array derived from the secret (its bytes, keys, key material) is wiped once it has served. The
 * secret never appears in {@link #toString()}, in an exception message or in a log. A
 * {@code String} cannot be wiped: prefer {@code char[]}, {@code byte[]} or a supplier.
 */
public final class KeySecret implements Destroyable {
  private final byte[] bytes;
  private final char[] chars;
  private final Supplier<?> supplier;
  private volatile boolean destroyed;

  private KeySecret(byte[] bytes, char[] chars, Supplier<?> supplier) {
    this.bytes = bytes;
    this.chars = chars;
    this.supplier = supplier;
  }

  /** A copy of {@code passphrase}, taken as UTF-8. */
  public static KeySecret of(char[] passphrase) {
    return new KeySecret(null, passphrase.clone(), null);
  }

  /** A copy of {@code passphrase}, taken as raw bytes. */
  public static KeySecret of(byte[] passphrase) {
    return new KeySecret(passphrase.clone(), null, null);
  }

  /** {@code passphrase} as UTF-8 (a String cannot be wiped; prefer the array forms). */
  public static KeySecret of(String passphrase) {
    return new KeySecret(null, passphrase.toCharArray(), null);
  }

  /**
   * A secret fetched when needed from {@code supplier}, which returns a {@code char[]},
   * {@code byte[]} or {@code String}; arrays it returns are wiped after each use.
   */
  public static KeySecret from(Supplier<?> supplier) {
    if (supplier == null) {
      throw new NullPointerException("supplier");
    }
    return new KeySecret(null, null, supplier);
  }

  /**
   * The contents of a key file, byte for byte, as qemu-img's {@code --object secret,file=} takes
   * them (a trailing newline is part of the secret). The file is read once, here; the array read
   * is wiped once copied.
   */
  public static KeySecret fromFile(Path file) throws IOException {
    byte[] read = Files.readAllBytes(file);
    try {
      return of(read);
    } finally {
      Arrays.fill(read, (byte) 0);
    }
  }

  /**
   * A secret from any accepted form: {@code char[]}, {@code byte[]}, {@code String}, a
   * {@link Supplier} of one, a {@link Path} naming a key file ({@link #fromFile}), or a
   * {@code KeySecret}.
   *
   * @throws IllegalArgumentException naming the type (never the value) for anything else, or
   *     when a key file cannot be read (naming the file and why, never its contents)
   */
  public static KeySecret fromObject(Object value) {
    if (value instanceof KeySecret k) {
      return k;
    }
    if (value instanceof Path p) {
      try {
        return fromFile(p);
      } catch (IOException e) {
        throw new IllegalArgumentException("the key file " + p + " cannot be read: " + e, e);
      }
    }
    if (value instanceof char[] c) {
      return of(c);
    }
    if (value instanceof byte[] b) {
      return of(b);
    }
    if (value instanceof String s) {
      return of(s);
    }
    if (value instanceof Supplier<?> s) {
      return from(s);
    }
    throw new IllegalArgumentException("a key secret is a char[], byte[], String, a Supplier "
        + "of one or the Path of a key file, not a "
        + (value == null ? "null" : value.getClass().getName()));
  }

  /**
   * A fresh array of the secret's bytes, which the caller wipes.
   *
   * @throws IllegalStateException when destroyed, or when a supplier returns something else
   */
  byte[] bytes() {
    if (destroyed) {
      throw new IllegalStateException("the key secret was destroyed");
    }
    if (bytes != null) {
      return bytes.clone();
    }
    if (chars != null) {
      return utf8(chars);
    }
    Object v = supplier.get();
    if (v instanceof byte[] b) {
      byte[] copy = b.clone();
      Arrays.fill(b, (byte) 0);
      return copy;
    }
    if (v instanceof char[] c) {
      try {
        return utf8(c);
      } finally {
        Arrays.fill(c, '\0');
      }
    }
    if (v instanceof String s) {
      char[] c = s.toCharArray();
      try {
        return utf8(c);
      } finally {
        Arrays.fill(c, '\0');
      }
    }
    throw new IllegalStateException("the key secret supplier returned "
        + (v == null ? "null" : "a " + v.getClass().getName())
        + ", not a char[], byte[] or String");
  }

  private static byte[] utf8(char[] c) {
    CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer out;
    try {
      out = enc.encode(CharBuffer.wrap(c));
    } catch (CharacterCodingException e) {
      // No cause: its message could describe the input.
      throw new IllegalArgumentException("the key secret is not valid UTF-16 text");
    }
    byte[] result = new byte[out.remaining()];
    out.get(result);
    Arrays.fill(out.array(), (byte) 0);
    return result;
  }

  /** Wipes the copies held here; a supplier is simply no longer asked. */
  @Override
  public void destroy() {
    destroyed = true;
    if (bytes != null) {
      Arrays.fill(bytes, (byte) 0);
    }
    if (chars != null) {
      Arrays.fill(chars, '\0');
    }
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "KeySecret[hidden]";
  }
}
