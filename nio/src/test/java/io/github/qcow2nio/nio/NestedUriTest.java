package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class NestedUriTest {
  private static final NestedUri T = new NestedUri("t", "file",
      "a t path URI has the form t:<file-uri>!/path", "a t URI is 't:' and a URI", false);
  private static final NestedUri BANG = new NestedUri("t", "file",
      "a t path URI has the form t:<file-uri>!/path", "a t URI is 't:' and a URI", true);

  private static final URI NESTED = URI.create("t:jar:file:///x.zip!/img!/dir/a%20b");

  @Test
  void lastCutLeavesTheInnerUrisOwnSeparator() {
    NestedUri.Split s = T.lastCut(NESTED);
    assertEquals(URI.create("jar:file:///x.zip!/img"), s.inner());
    assertEquals("/dir/a b", s.path());
  }

  @Test
  void cutsOfferEveryCutFirstFirst() {
    List<NestedUri.Split> cuts = T.cuts(NESTED);
    assertEquals(List.of(
        new NestedUri.Split(URI.create("jar:file:///x.zip"), "/img!/dir/a b"),
        new NestedUri.Split(URI.create("jar:file:///x.zip!/img"), "/dir/a b")), cuts);
  }

  @Test
  void aPathUriNeedsTheSeparator() {
    URI u = URI.create("t:file:///x.img");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> T.lastCut(u));
    assertEquals("a t path URI has the form t:<file-uri>!/path; no '!/' in t:file:///x.img",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> T.cuts(u));
  }

  @Test
  void schemeOpacityAndInnerSchemeAreChecked() {
    assertThrows(IllegalArgumentException.class,
        () -> T.lastCut(URI.create("u:file:///x!/a")));
    IllegalArgumentException hier = assertThrows(IllegalArgumentException.class,
        () -> T.fileSystemInner(URI.create("t:/x")));
    assertEquals("a t URI is 't:' and a URI; got t:/x", hier.getMessage());
    IllegalArgumentException noScheme = assertThrows(IllegalArgumentException.class,
        () -> T.lastCut(URI.create("t:x.img!/a")));
    assertEquals("the file URI in t:x.img!/a has no scheme", noScheme.getMessage());
  }

  @Test
  void fileSystemUriRoundTrips() {
    URI inner = URI.create("file:///i.img");
    assertEquals(URI.create("t:file:///i.img"), T.fileSystemUri(inner));
    assertEquals(inner, T.fileSystemInner(URI.create("t:file:///i.img")));
    assertEquals(inner, T.fileSystemInner(URI.create("t:file:///i.img!/")));
    assertEquals(inner, T.fileSystemInner(URI.create("T:file:///i.img")));
  }

  @Test
  void pathUriEncodesAndCutsBack() {
    URI inner = URI.create("jar:file:///x.zip!/img");
    URI plain = T.pathUri(inner, "/a b/c!d");
    assertEquals("t:jar:file:///x.zip!/img!/a%20b/c!d", plain.toString());
    URI escaped = BANG.pathUri(inner, "/a b/c!/d");
    assertEquals("t:jar:file:///x.zip!/img!/a%20b/c%21/d", escaped.toString());
    assertEquals(new NestedUri.Split(inner, "/a b/c!/d"), BANG.lastCut(escaped));
  }
}
