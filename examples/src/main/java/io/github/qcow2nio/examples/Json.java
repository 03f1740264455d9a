package io.github.qcow2nio.examples;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A tiny JSON writer in the layout of QEMU's pretty printer: four-space indents, one member per
 * line, {@code "key": value}, and empty containers still split over two lines. Values are maps
 * (members in iteration order), lists, strings, numbers and booleans.
 */
public final class Json {
  private static final String INDENT = "    ";

  private Json() {}

  /** {@code value} pretty-printed, without a trailing newline. */
  public static String pretty(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object value, int depth) {
    if (value instanceof Map<?, ?> map) {
      sb.append('{');
      writeMembers(sb, map.entrySet().iterator(), depth, true);
      sb.append('}');
    } else if (value instanceof List<?> list) {
      sb.append('[');
      writeMembers(sb, list.iterator(), depth, false);
      sb.append(']');
    } else if (value instanceof String s) {
      quote(sb, s);
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value);
    }
  }

  private static void writeMembers(StringBuilder sb, Iterator<?> it, int depth, boolean named) {
    sb.append('\n');
    boolean first = true;
    while (it.hasNext()) {
      if (!first) {
        sb.append(",\n");
      }
      first = false;
      sb.append(INDENT.repeat(depth + 1));
      Object item = it.next();
      if (named) {
        Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
        quote(sb, (String) e.getKey());
        sb.append(": ");
        item = e.getValue();
      }
      write(sb, item, depth + 1);
    }
    if (!first) {
      sb.append('\n');
    }
    sb.append(INDENT.repeat(depth));
  }

  /** {@code s} as a JSON string, quotes included. */
  static String quoted(String s) {
    StringBuilder sb = new StringBuilder();
    quote(sb, s);
    return sb.toString();
  }

  /** Appends {@code s} as a JSON string; like QEMU, everything outside printable ASCII is escaped. */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            sb.append(c);
          } else {
            // Characters beyond the BMP come out as their UTF-16 surrogate pair, as JSON wants.
            sb.append(String.format("\\u%04X", (int) c));
          }
        }
      }
    }
    sb.append('"');
  }
}
