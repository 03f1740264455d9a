package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parts of snapshot's and bitmap's command lines read as qemu-img reads them, without it. */
class SnapshotBitmapParsingTest {

  @Test
  void granularityIsCutTo32BitsAsQemuPassesIt() throws ToolError {
    assertEquals(65536, BitmapCommand.granularity("64k"));
    assertEquals(512, BitmapCommand.granularity("512"));
    assertEquals(1L << 31, BitmapCommand.granularity("2G"));
    assertEquals(0, BitmapCommand.granularity("0"));
    // 4G is 0 in 32 bits: refused later as "at least 512" (1 stands for it); 4G + 64k is 64k.
    assertEquals(1, BitmapCommand.granularity("4G"));
    assertEquals(65536, BitmapCommand.granularity("4295032832"));
    assertEquals(1536, BitmapCommand.granularity("1.5k"));
    for (String bad : new String[] {"abc", "-1", "", "9E"}) {
      ToolError e = assertThrows(ToolError.class, () -> BitmapCommand.granularity(bad), bad);
      assertEquals("qcow2: Invalid granularity specified. You may use k, M, G, T, P or E "
          + "suffixes for\nqcow2: kilobytes, megabytes, gigabytes, terabytes, petabytes and "
          + "exabytes.\n", e.text(), bad);
    }
  }

  @Test
  void snapshotNamesAreCutTo255Bytes() {
    assertEquals("n".repeat(255), SnapshotCommand.cut("n".repeat(300)));
    assertEquals("short", SnapshotCommand.cut("short"));
    // Two-byte characters: never half of one.
    String cut = SnapshotCommand.cut("\u00e9".repeat(200));
    assertEquals(127, cut.length());
    assertEquals(254, cut.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void usageErrorsInQemuWords() {
    ToolRun r = ToolRun.of("bitmap", "--add", "--remove");
    assertEquals(1, r.status());
    assertEquals("qcow2: Expecting filename and bitmap name\n", r.err());
    ToolRun none = ToolRun.of("bitmap", "x.qcow2", "b");
    assertEquals("qcow2: Need at least one of --add, --remove, --clear, --enable, --disable, "
        + "or --merge\n", none.err());
    ToolRun mix = ToolRun.of("snapshot", "-l", "-c", "x", "a.qcow2");
    assertEquals("qcow2: Cannot mix '-l', '-a', '-c', '-d'\nTry 'qcow2 --help' for more "
        + "information\n", mix.err());
  }
}
