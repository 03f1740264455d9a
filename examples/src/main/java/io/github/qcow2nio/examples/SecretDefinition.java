package io.github.qcow2nio.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code --object} definition as qemu-img 7.2 reads it, {@code secret,id=ID,data=TEXT} or
 * {@code secret,id=ID,file=PATH}, with {@code format=raw|base64}, {@code keyid=ID} and
 * {@code iv=BASE64} (the secret encrypted with another one). Only the syntax is judged here, in
 * qemu-img's words; {@link SecretValue} loads the bytes.
 *
 * @param data the {@code data} text, or null
 * @param file the {@code file} path, or null
 */
record SecretDefinition(String id, String data, String file, boolean base64, String keyId,
    String iv) {

  /** What qemu-img creates besides secrets: accepted by its parser, not by this tool. */
  private static final Set<String> OTHER_TYPES = Set.of("authz-list", "authz-list-file",
      "authz-simple", "main-loop", "pr-manager-helper", "secret_keyring", "thread-context",
      "throttle-group", "tls-cipher-suites", "tls-creds-anon", "tls-creds-psk",
      "tls-creds-x509");
  private static final Set<String> PROPERTIES = Set.of("data", "file", "format", "keyid", "iv");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

  @Override
  public String toString() {
    // The data is the secret itself: never shown.
    return "SecretDefinition[id=" + id + (file != null ? ", file=" + file : ", data=hidden")
        + "]";
  }

  /**
   * Parses {@code text}, the argument of one {@code --object}, judging it in qemu-img's order:
   * the type, the id's presence, property values, unknown properties, the id's form, a duplicate
   * of an id in {@code taken}, then data against file.
   */
  static SecretDefinition parse(String text, Set<String> taken) throws ToolError {
    Map<String, String> props = new LinkedHashMap<>();
    List<String> parts = QemuOptions.split(text);
    for (int i = 0; i < parts.size(); i++) {
      String p = parts.get(i);
      int eq = p.indexOf('=');
      if (i == 0 && eq < 0) {
        // The first part may be the type alone, qemu's implied "qom-type=".
        if (!p.isEmpty()) {
          props.put("qom-type", p);
        }
        continue;
      }
      if (eq < 0) {
        throw ToolError.of("Expected '=' after parameter '" + p + "'");
      }
      // A repeated key: the last one wins, as in qemu-img.
      props.remove(p.substring(0, eq));
      props.put(p.substring(0, eq), p.substring(eq + 1));
    }
    String type = props.remove("qom-type");
    if (type == null) {
      throw ToolError.of("Parameter 'qom-type' is missing");
    }
    if (!type.equals("secret") && !OTHER_TYPES.contains(type)) {
      throw ToolError.of("Parameter 'qom-type' does not accept value '" + type + "'");
    }
    String id = props.remove("id");
    if (id == null) {
      throw ToolError.of("Parameter 'id' is missing");
    }
    if (!type.equals("secret")) {
      throw ToolError.of("--object " + type + " is not supported (secret is)");
    }
    String format = props.get("format");
    if (format != null && !format.equals("raw") && !format.equals("base64")) {
      throw ToolError.of("Parameter 'format' does not accept value '" + format + "'");
    }
    for (String key : props.keySet()) {
      if (!PROPERTIES.contains(key)) {
        throw ToolError.of("Parameter '" + key + "' is unexpected");
      }
    }
    if (!IDENTIFIER.matcher(id).matches()) {
      throw ToolError.withHint("Parameter 'id' expects an identifier",
          "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n");
    }
    if (taken.contains(id)) {
      throw ToolError.of("attempt to add duplicate property '" + id
          + "' to object (type 'container')");
    }
    String data = props.get("data");
    String file = props.get("file");
    if (data != null && file != null) {
      throw ToolError.of("'file' and 'data' are mutually exclusive");
    }
    if (data == null && file == null) {
      throw ToolError.of("Either 'file' or 'data' must be provided");
    }
    return new SecretDefinition(id, data, file, "base64".equals(format), props.get("keyid"),
        props.get("iv"));
  }
}
