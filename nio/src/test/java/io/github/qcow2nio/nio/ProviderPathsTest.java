package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import org.junit.jupiter.api.Test;

class ProviderPathsTest {

  @Test
  void acceptsItsOwnRefusesOthersAndNull() {
    Path p = Path.of("/tmp/x");
    assertSame(p, ProviderPaths.own(p, Path.class, "a path"));
    ProviderMismatchException e = assertThrows(ProviderMismatchException.class,
        () -> ProviderPaths.own(p, AbstractPath.class, "a test path"));
    assertEquals("not a test path: /tmp/x (file)", e.getMessage());
    assertThrows(NullPointerException.class, () -> ProviderPaths.own(null, Path.class, "a path"));
  }
}
