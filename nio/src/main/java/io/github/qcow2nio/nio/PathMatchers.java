package io.github.qcow2nio.nio;

import java.nio.file.PathMatcher;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code FileSystem.getPathMatcher}: "glob:" and "regex:" patterns matched against a path's whole
 * string form, as the JDK documents the method, with the same messages in every provider that
 * uses it.
 */
public final class PathMatchers {
  private PathMatchers() {}

  /**
   * The matcher of {@code syntaxAndPattern}; {@code globFlags} are {@link Pattern} flags for glob
   * patterns only, for a file system whose names match regardless of case.
   */
  public static PathMatcher of(String syntaxAndPattern, int globFlags) {
    int colon = syntaxAndPattern.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected syntax:pattern, got " + syntaxAndPattern);
    }
    String syntax = syntaxAndPattern.substring(0, colon);
    String pattern = syntaxAndPattern.substring(colon + 1);
    Pattern regex = switch (syntax.toLowerCase(Locale.ROOT)) {
      case "glob" -> Pattern.compile(Globs.toRegex(pattern), globFlags);
      case "regex" -> Pattern.compile(pattern);
      default -> throw new UnsupportedOperationException("syntax '" + syntax
          + "' is not supported; use glob or regex");
    };
    return path -> regex.matcher(path.toString()).matches();
  }
}
