package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.PathMatcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PathMatchersTest {
  @Test
  void globAndRegexMatchTheWholePath() {
    assertTrue(PathMatchers.of("glob:/d/*.txt", 0).matches(TestPath.of("/d/a.txt")));
    assertFalse(PathMatchers.of("glob:/d/*.txt", 0).matches(TestPath.of("/d/e/a.txt")));
    assertTrue(PathMatchers.of("GLOB:**.txt", 0).matches(TestPath.of("/d/e/a.txt")));
    assertTrue(PathMatchers.of("regex:/d/[a-c]+", 0).matches(TestPath.of("/d/abc")));
    assertFalse(PathMatchers.of("regex:/d", 0).matches(TestPath.of("/d/abc")));
  }

  @Test
  void globFlagsApplyToGlobsOnly() {
    int ci = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    assertTrue(PathMatchers.of("glob:*.TXT", ci).matches(TestPath.of("a.txt")));
    assertFalse(PathMatchers.of("glob:*.TXT", 0).matches(TestPath.of("a.txt")));
    PathMatcher regex = PathMatchers.of("regex:.*TXT", ci);
    assertFalse(regex.matches(TestPath.of("a.txt")));
  }

  @Test
  void badSyntaxIsRefused() {
    IllegalArgumentException noColon =
        assertThrows(IllegalArgumentException.class, () -> PathMatchers.of("*.txt", 0));
    assertEquals("expected syntax:pattern, got *.txt", noColon.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PathMatchers.of(":x", 0));
    assertThrows(UnsupportedOperationException.class, () -> PathMatchers.of("sql:x", 0));
  }
}
