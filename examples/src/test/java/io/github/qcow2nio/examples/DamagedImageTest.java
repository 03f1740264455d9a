package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged images never make the tool print a stack trace: every run ends with status 0, or with
 * status 1 and one "qcow2: " line on stderr. The sample image is damaged at random in its
 * metadata (header, tables, snapshot table) and data, 150 times over.
 */
class DamagedImageTest {
  @TempDir Path dir;

  @Test
  void damageIsReportedInOneLine() throws IOException {
    byte[] sample;
    try (InputStream in = Main.class.getResourceAsStream("/" + SampleImage.NAME)) {
      sample = in.readAllBytes();
    }
    Random random = new Random(2026);
    Path img = dir.resolve("damaged.qcow2");
    // The sample's metadata lives in its first clusters (4 KiB each) and its snapshot table;
    // its data clusters are damaged too, less often.
    for (int round = 0; round < 150; round++) {
      byte[] bytes = sample.clone();
      int flips = 1 + random.nextInt(4);
      for (int i = 0; i < flips; i++) {
        int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length)
            : random.nextInt(Math.min(bytes.length, 5 * 4096));
        bytes[at] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
      }
      Files.write(img, bytes);
      for (String[] args : new String[][] {{"info", img.toString()},
          {"info", "--output=json", img.toString()}, {"map", "--output=json", img.toString()},
          {"map", img.toString()}}) {
        ToolRun run = ToolRun.of(args);
        String what = "round " + round + ": " + String.join(" ", args) + "\n" + run.err();
        if (run.status() == 0) {
          assertEquals("", run.err(), what);
        } else {
          assertEquals(1, run.status(), what);
          assertTrue(run.err().startsWith("qcow2: "), what);
          assertEquals(1, run.err().lines().count(), what);
        }
      }
    }
  }
}
