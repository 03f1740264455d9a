package io.github.qcow2nio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the table driver from rotting: runs it at the smallest scale, one round, and checks that
 * every row of the issue is printed with a figure. No figure is judged: timings on a shared
 * machine prove nothing, and the table is read by people.
 */
@Tag("qemu")
class SpeedTableSmokeTest {
  private static final List<String> ROWS = List.of(
      "sequential 1 MiB reads, allocated",
      "random 4 KiB reads",
      "the sequential reads into 1 MiB heap buffers",
      "the sequential reads into page-aligned direct buffers",
      "sequential reads, deflate image",
      "sequential reads, zstd image",
      "sequential 1 MiB allocating writes, new image, ending with a force",
      "qcow2 → raw file",
      "floor of a convert to raw: its",
      "floor of a convert to raw: the same",
      "`transferTo` of the allocated image's `/disk`",
      "raw → qcow2",
      "raw → compressed qcow2, deflate",
      "raw → compressed qcow2, zstd",
      "qcow2 → qcow2",
      "compressed qcow2 (deflate) → raw file",
      "compressed qcow2 (zstd) → raw file",
      "commit of a",
      "allocation map of an",
      "check of a",
      "`qcow2.jar info --output=json` of a small image, whole process",
      "`qcow2 info --output=json` (the launcher: AppCDS archive) of a small image",
      "open, map and stream the sparse image in a child JVM with -Xmx64m",
      "heap retained by an open image after",
      "hot read path, random 4 KiB read",
      "hot read path, sequential 1 MiB read");

  @TempDir
  Path dir;

  @Test
  void printsEveryRow() throws Exception {
    Qemu.assumeAvailable();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<Row> rows = SpeedTable.run(new Settings(8, 1, dir, Settings.findToolJar(), 50), out);
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertEquals(ROWS.size(), rows.size(), text);
    for (int i = 0; i < ROWS.size(); i++) {
      Row row = rows.get(i);
      assertTrue(row.workload().startsWith(ROWS.get(i)), row.workload());
      assertTrue(text.contains(row.markdown()), "printed: " + row.workload());
      assertTrue(Set.of("yes", "no", "reported").contains(row.verdict())
          || row.verdict().startsWith("not measured: examples/target/qcow2")
          || row.workload().startsWith("floor of") && row.verdict().equals("-"), row.toString());
      if (!row.verdict().startsWith("not measured")) {
        assertTrue(row.ours().matches(".*\\d.*"), "a figure: " + row);
      }
    }
    // Not a timing: the child either read the whole image within -Xmx64m or died.
    Row streaming = rows.get(ROWS.indexOf(
        "open, map and stream the sparse image in a child JVM with -Xmx64m"));
    assertEquals("yes", streaming.verdict(), streaming.toString());
    // The hot random read stands beside a raw file's read of the same bytes, with their ratio.
    Row hot = rows.get(ROWS.indexOf("hot read path, random 4 KiB read"));
    assertTrue(hot.reference().startsWith("raw FileChannel") && hot.reference().matches(".*\\d.*")
        && hot.ratio().matches("\\d+\\.\\d\\d"), hot.toString());
    assertTrue(text.contains("processors (nproc): "), text);
  }
}
