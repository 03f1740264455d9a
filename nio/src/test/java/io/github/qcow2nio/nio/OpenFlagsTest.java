package io.github.qcow2nio.nio;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DELETE_ON_CLOSE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.SPARSE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenFlagsTest {
  private static OpenFlags parse(OpenOption... options) {
    return OpenFlags.parse(Set.of(options), null);
  }

  @Test
  void nothingMeansRead() {
    assertEquals(new OpenFlags(true, false, false, false, false, false, false, false), parse());
  }

  @Test
  void appendWritesAndTruncateNeedsWrite() {
    assertEquals(new OpenFlags(false, true, true, false, false, false, false, false),
        parse(APPEND));
    assertEquals(new OpenFlags(true, false, false, false, false, false, false, false),
        parse(TRUNCATE_EXISTING));
    assertEquals(new OpenFlags(false, true, false, true, false, false, false, true),
        parse(WRITE, TRUNCATE_EXISTING, DSYNC, SPARSE, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void appendRefusesReadAndTruncate() {
    assertThrows(IllegalArgumentException.class, () -> parse(APPEND, READ));
    assertThrows(IllegalArgumentException.class, () -> parse(APPEND, TRUNCATE_EXISTING));
  }

  @Test
  void deleteOnCloseIsRefusedWithTheGivenMessageOrKept() {
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> OpenFlags.parse(Set.of(DELETE_ON_CLOSE), "cannot delete here"));
    assertEquals("cannot delete here", e.getMessage());
    assertEquals(true, parse(WRITE, DELETE_ON_CLOSE).deleteOnClose());
  }

  @Test
  void unknownOptionsAreUnsupported() {
    OpenOption odd = new OpenOption() {};
    assertThrows(UnsupportedOperationException.class, () -> parse(odd));
  }

  @Test
  void createCountsOnlyWhenWritingIfAsked() {
    OpenFlags readCreate = parse(READ, CREATE, CREATE_NEW);
    assertEquals(true, readCreate.create());
    assertEquals(true, readCreate.createNew());
    assertEquals(false, readCreate.createOnlyWhenWriting().create());
    assertEquals(false, readCreate.createOnlyWhenWriting().createNew());
    assertEquals(true, parse(WRITE, CREATE_NEW).createOnlyWhenWriting().createNew());
  }
}
