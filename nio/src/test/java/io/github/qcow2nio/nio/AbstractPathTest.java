package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AbstractPathTest {
  private static TestPath p(String s) {
    return TestPath.of(s);
  }

  @ParameterizedTest
  @CsvSource({
      "/a//b/, /a/b",
      "a/b/, a/b",
      "//, /",
      "'', ''",
  })
  void emptyNamesVanish(String in, String expected) {
    assertEquals(expected, p(in).toString());
  }

  @Test
  void nulIsRefused() {
    assertThrows(InvalidPathException.class, () -> p("a\0b"));
  }

  @ParameterizedTest
  @CsvSource({
      "/a/./b/../c, /a/c",
      "/.., /",
      "/../../a, /a",
      "../a/.., ..",
      "a/../.., ..",
      "../../a, ../../a",
      "./., ''",
      "a/b/../../.., ..",
  })
  void normalize(String in, String expected) {
    assertEquals(expected, p(in).normalize().toString());
  }

  @ParameterizedTest
  @CsvSource({
      "/a/b, /a/c/d, ../c/d",
      "/a/b, /a/b, ''",
      "/, /x/y, x/y",
      "/x/y, /, ../..",
      "a, b, ../b",
      "'', a/b, a/b",
  })
  void relativizeThenResolveComesBack(String from, String to, String expected) {
    Path rel = p(from).relativize(p(to));
    assertEquals(expected, rel.toString());
    assertEquals(p(to), p(from).resolve(rel).normalize());
  }

  @Test
  void relativizeRefusesMixedKinds() {
    assertThrows(IllegalArgumentException.class, () -> p("/a").relativize(p("a")));
  }

  @Test
  void resolve() {
    assertEquals("/a/b/c", p("/a").resolve("b/c").toString());
    assertEquals("/z", p("/a").resolve("/z").toString());
    assertEquals("/a", p("/a").resolve("").toString());
    assertEquals("b", p("").resolve("b").toString());
  }

  @Test
  void pathsOfAnotherProviderAreAMismatch() {
    Path foreign = Path.of("a");
    assertThrows(ProviderMismatchException.class, () -> p("/a").resolve(foreign));
    assertThrows(ProviderMismatchException.class, () -> p("/a").relativize(foreign));
    assertThrows(NullPointerException.class, () -> p("/a").resolve((Path) null));
    assertFalse(p("a").startsWith(foreign));
    assertFalse(p("a").endsWith(foreign));
    assertThrows(ClassCastException.class, () -> p("a").compareTo(foreign));
    assertNotEquals(p("a"), foreign);
  }

  @Test
  void rootParentAndFileName() {
    assertEquals(p("/"), p("/a/b").getRoot());
    assertNull(p("a/b").getRoot());
    assertEquals(p("/a"), p("/a/b").getParent());
    assertEquals(p("/"), p("/a").getParent());
    assertNull(p("/").getParent());
    assertNull(p("a").getParent());
    assertEquals(p("b"), p("/a/b").getFileName());
    assertNull(p("/").getFileName());
    assertEquals(p(""), p("").getFileName());
  }

  @Test
  void namesAndSubpaths() {
    TestPath path = p("/a/b/c");
    assertEquals(3, path.getNameCount());
    assertEquals(p("b"), path.getName(1));
    assertEquals(p("b/c"), path.subpath(1, 3));
    assertThrows(IllegalArgumentException.class, () -> path.getName(3));
    assertThrows(IllegalArgumentException.class, () -> path.getName(-1));
    assertThrows(IllegalArgumentException.class, () -> path.subpath(2, 2));
    assertThrows(IllegalArgumentException.class, () -> path.subpath(0, 4));
  }

  @Test
  void startsAndEndsWithWholeNames() {
    assertTrue(p("/a/b").startsWith(p("/a")));
    assertTrue(p("/a/b").startsWith(p("/")));
    assertFalse(p("/ab/c").startsWith(p("/a")));
    assertFalse(p("/a/b").startsWith(p("a")));
    assertFalse(p("a").startsWith(p("")));
    assertTrue(p("").startsWith(p("")));
    assertTrue(p("/a/b").endsWith(p("b")));
    assertTrue(p("/a/b").endsWith(p("a/b")));
    assertTrue(p("/a/b").endsWith(p("/a/b")));
    assertFalse(p("a/b").endsWith(p("/a/b")));
    assertFalse(p("/a/b").endsWith(p("")));
    assertFalse(p("/ab").endsWith(p("b")));
  }

  @Test
  void equalityAndOrderFollowTheExactString() {
    assertEquals(p("/a/b"), p("/a//b/"));
    assertEquals(p("/a/b").hashCode(), p("/a//b/").hashCode());
    assertNotEquals(p("/A"), p("/a"));
    assertNotEquals(p("a"), p("/a"));
    assertTrue(p("/a").compareTo(p("/b")) < 0);
    assertTrue(p("/B").compareTo(p("/a")) < 0);
  }

  @Test
  void absoluteAndUri() {
    assertEquals(p("/a"), p("a").toAbsolutePath());
    assertEquals("test:mem:/vol!/a%20b/c", p("a b/x/../c").toUri().toString());
  }
}
