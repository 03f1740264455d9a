package io.github.qcow2nio.ext4;

import java.util.regex.PatternSyntaxException;

/** Glob patterns ({@code *}, {@code **}, {@code ?}, {@code [..]}, {@code {a,b}}) as regexes. */
final class Globs {
  private Globs() {}

  static String toRegex(String glob) {
    StringBuilder re = new StringBuilder("^");
    boolean inGroup = false;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '\\' -> {
          if (++i >= glob.length()) {
            throw new PatternSyntaxException("no character to escape", glob, i - 1);
          }
          re.append(quote(glob.charAt(i)));
        }
        case '*' -> {
          boolean twice = i + 1 < glob.length() && glob.charAt(i + 1) == '*';
          re.append(twice ? ".*" : "[^/]*");
          i += twice ? 1 : 0;
        }
        case '?' -> re.append("[^/]");
        case '[' -> {
          int end = glob.indexOf(']', i + 1);
          if (end < 0) {
            throw new PatternSyntaxException("missing ']'", glob, i);
          }
          String set = glob.substring(i + 1, end);
          if (set.startsWith("!")) {
            set = "^" + set.substring(1);
          }
          re.append("[[^/]&&[").append(set.replace("\\", "\\\\").replace("[", "\\["))
              .append("]]");
          i = end;
        }
        case '{' -> {
          if (inGroup) {
            throw new PatternSyntaxException("nested groups", glob, i);
          }
          re.append("(?:");
          inGroup = true;
        }
        case '}' -> {
          re.append(inGroup ? ")" : "\\}");
          inGroup = false;
        }
        case ',' -> re.append(inGroup ? "|" : ",");
        default -> re.append(quote(c));
      }
    }
    if (inGroup) {
      throw new PatternSyntaxException("missing '}'", glob, glob.length() - 1);
    }
    return re.append('$').toString();
  }

  private static String quote(char c) {
    return "\\.^$+()|{}[]*?".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
  }
}
