package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** [N:]PATH as the file commands take it. */
class ImagePathTest {

  @Test
  void partitionNumberThenAbsolutePath() throws CommandLine.UsageException {
    assertEquals(new ImagePath(1, "/etc/passwd", "1:/etc/passwd"),
        ImagePath.parse("1:/etc/passwd"));
    assertEquals(new ImagePath(12, "/rel", "12:rel"), ImagePath.parse("12:rel"));
    assertEquals(new ImagePath(2, "/", "2:"), ImagePath.parse("2:"));
  }

  @Test
  void withoutANumberTheWholeDisk() throws CommandLine.UsageException {
    assertEquals(new ImagePath(0, "/a:b", "/a:b"), ImagePath.parse("/a:b"));
    assertEquals(new ImagePath(0, "/x", "x"), ImagePath.parse("x"));
    assertEquals(new ImagePath(0, "/c:/d", "c:/d"), ImagePath.parse("c:/d"));
  }

  @Test
  void noPartitionZeroOrBeyondInt() {
    for (String bad : new String[] {"0:/", "00:/a", "99999999999:/"}) {
      assertThrows(CommandLine.UsageException.class, () -> ImagePath.parse(bad), bad);
    }
  }
}
