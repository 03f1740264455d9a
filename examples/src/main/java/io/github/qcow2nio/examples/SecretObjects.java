package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.KeySecret;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The secrets a command line defines with {@code --object secret,...}, by id, loaded in order
 * as qemu-img creates its objects (so {@code keyid} names an earlier one). A secret leaves here
 * only as a {@link KeySecret}; {@link #wipe()} zeroes the bytes held here.
 */
final class SecretObjects {
  private final Map<String, byte[]> secrets;

  private SecretObjects(Map<String, byte[]> secrets) {
    this.secrets = secrets;
  }

  /** No secrets: what a command line without {@code --object} defines. */
  static SecretObjects none() {
    return new SecretObjects(new LinkedHashMap<>());
  }

  /** Parses and loads every definition, failing on the first in qemu-img's words. */
  static SecretObjects load(List<String> definitions) throws ToolError {
    Map<String, byte[]> secrets = new LinkedHashMap<>();
    boolean ok = false;
    try {
      for (String text : definitions) {
        SecretDefinition d = SecretDefinition.parse(text, secrets.keySet());
        secrets.put(d.id(), SecretValue.load(d, secrets));
      }
      ok = true;
      return new SecretObjects(secrets);
    } finally {
      if (!ok) {
        new SecretObjects(secrets).wipe();
      }
    }
  }

  /**
   * The secret named {@code id}, for an image named {@code operand} in the message when there is
   * none: "Could not open 'OPERAND': No secret with id 'ID'".
   */
  KeySecret keySecret(String id, String operand) throws ToolError {
    return find(id).orElseThrow(() -> ToolError.of("Could not open '" + operand
        + "': No secret with id '" + id + "'"));
  }

  /**
   * The secret named {@code id}, a copy of its own, for callers with their own words when there
   * is none (create and amend: "FILE: No secret with id 'ID'").
   */
  Optional<KeySecret> find(String id) {
    byte[] b = secrets.get(id);
    return b == null ? Optional.empty() : Optional.of(KeySecret.of(b));
  }

  /** A copy of the bytes of secret {@code id}, which the caller wipes. */
  Optional<byte[]> copy(String id) {
    byte[] b = secrets.get(id);
    return b == null ? Optional.empty() : Optional.of(b.clone());
  }

  /** True when a secret of that id is defined. */
  boolean has(String id) {
    return secrets.containsKey(id);
  }

  /** Zeroes every secret held here; the KeySecrets handed out hold their own copies. */
  void wipe() {
    for (byte[] b : secrets.values()) {
      Arrays.fill(b, (byte) 0);
    }
    secrets.clear();
  }

  @Override
  public String toString() {
    return "SecretObjects" + secrets.keySet();
  }
}
