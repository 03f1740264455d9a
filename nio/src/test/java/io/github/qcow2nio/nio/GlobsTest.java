package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GlobsTest {
  @ParameterizedTest
  @CsvSource({
      "*.txt, a.txt, true",
      "*.txt, d/a.txt, false",
      "**.txt, d/a.txt, true",
      "**/x, a/b/x, true",
      "?, a, true",
      "?, /, false",
      "?, ab, false",
      "[abc], b, true",
      "[abc], d, false",
      "[!abc], d, true",
      "[!abc], a, false",
      "[!a], /, false",
      "[a-c]x, bx, true",
      "'{a,bb}.c', bb.c, true",
      "'{a,bb}.c', a.c, true",
      "'{a,bb}.c', b.c, false",
      "'a,b', 'a,b', true",
      "a}, a}, true",
      "a.b, a.b, true",
      "a.b, axb, false",
      "'\\*', *, true",
      "'\\*', a, false",
      "($^+|), ($^+|), true",
  })
  void matches(String glob, String name, boolean expected) {
    assertEquals(expected, Pattern.matches(Globs.toRegex(glob), name), glob + " vs " + name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[ab", "{a,b", "{a,{b}}", "a\\"})
  void malformedGlobsAreSyntaxErrors(String glob) {
    assertThrows(PatternSyntaxException.class, () -> Globs.toRegex(glob));
  }
}
