package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bytes of a secret as qemu-img 7.2 loads them: the {@code data} text or the whole
 * {@code file} (a trailing newline is part of it), base64-decoded with {@code format=base64}
 * (letters, digits, {@code +/=} and newlines; an incomplete last group is dropped), then, with
 * {@code keyid}, decrypted by AES-256-CBC under that earlier secret and {@code iv}, its PKCS#7
 * padding removed. Every intermediate array is wiped; no message shows a secret.
 */
final class SecretValue {
  private SecretValue() {}

  /** The secret's bytes; {@code earlier} holds the secrets defined before it, by id. */
  static byte[] load(SecretDefinition d, Map<String, byte[]> earlier) throws ToolError {
    byte[] raw = d.data() != null ? d.data().getBytes(StandardCharsets.UTF_8) : read(d.file());
    byte[] input = raw;
    if (d.base64()) {
      try {
        input = base64(raw);
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    }
    if (d.keyId() == null) {
      return input;
    }
    try {
      return decrypt(input, d, earlier);
    } finally {
      Arrays.fill(input, (byte) 0);
    }
  }

  private static byte[] read(String file) throws ToolError {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw unreadable(file, "Failed to open file", "No such file or directory");
    } catch (AccessDeniedException e) {
      throw unreadable(file, "Failed to open file", "Permission denied");
    } catch (IOException e) {
      throw unreadable(file, "Error reading file",
          Files.isDirectory(Path.of(file)) ? "Is a directory" : "Input/output error");
    }
  }

  private static ToolError unreadable(String file, String what, String why) {
    // GLib's curly quotes, as qemu-img prints them.
    return ToolError.of("Unable to read " + file + ": " + what + " \u201c" + file + "\u201d: "
        + why);
  }

  private static byte[] decrypt(byte[] ciphertext, SecretDefinition d, Map<String, byte[]> earlier)
      throws ToolError {
    byte[] key = earlier.get(d.keyId());
    if (key == null) {
      throw ToolError.of("No secret with id '" + d.keyId() + "'");
    }
    if (key.length != 32) {
      throw ToolError.of("Key should be 32 bytes in length");
    }
    if (d.iv() == null) {
      throw ToolError.of("IV is required to decrypt secret");
    }
    byte[] iv = base64(d.iv().getBytes(StandardCharsets.US_ASCII));
    if (iv.length != 16) {
      throw ToolError.of("IV should be 16 bytes in length not " + iv.length);
    }
    if (ciphertext.length % 16 != 0) {
      throw ToolError.of("Length " + ciphertext.length + " must be a multiple of block size 16");
    }
    byte[] plain;
    try {
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      plain = c.doFinal(ciphertext);
    } catch (GeneralSecurityException e) {
      // No cause: the JDK's message could say something of the input.
      throw ToolError.of("Failed to decrypt the secret with AES-256-CBC");
    }
    try {
      int pad = plain.length == 0 ? 0 : plain[plain.length - 1] & 0xff;
      if (pad > 16 || pad > plain.length) {
        throw ToolError.of("Incorrect number of padding bytes (" + pad
            + ") found on decrypted data");
      }
      return Arrays.copyOf(plain, plain.length - pad);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * Base64 as GLib decodes it for qemu-img: only {@code A-Za-z0-9+/=} and newlines are allowed,
   * newlines are skipped, each group of four gives three bytes less one per {@code =} among its
   * last two, and an incomplete last group gives nothing.
   */
  static byte[] base64(byte[] text) throws ToolError {
    byte[] out = new byte[text.length / 4 * 3 + 3];
    int n = 0;
    int value = 0;
    int count = 0;
    byte last0 = 0;
    byte last1 = 0;
    try {
      for (byte c : text) {
        if (c == '\n') {
          continue;
        }
        int r = rank(c);
        if (r < 0) {
          throw ToolError.of("Base64 data contains invalid characters");
        }
        value = value << 6 | r;
        last1 = last0;
        last0 = c;
        if (++count == 4) {
          out[n++] = (byte) (value >> 16);
          if (last1 != '=') {
            out[n++] = (byte) (value >> 8);
          }
          if (last0 != '=') {
            out[n++] = (byte) value;
          }
          count = 0;
          value = 0;
        }
      }
      return Arrays.copyOf(out, n);
    } finally {
      Arrays.fill(out, (byte) 0);
      value = 0;
    }
  }

  private static int rank(byte c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return switch (c) {
      case '+' -> 62;
      case '/' -> 63;
      case '=' -> 0;
      default -> -1;
    };
  }
}
