package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.examples.demo.CloudInitSeed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NoCloud seed demo, run, then judged by the real tools: qemu-img check on the image and its
 * backing file as made, sfdisk on the table, and fsck.fat, fatlabel and mcopy on the FAT
 * partition cut out of {@code qemu-img convert -O raw}'s output.
 */
class CloudInitSeedTest {
  @TempDir Path dir;

  @Test
  void printsWhatItWroteAfterReopeningReadOnly() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Path seed = CloudInitSeed.build(dir, out);
      CloudInitSeed.printBack(seed, out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.endsWith("volume label: CIDATA\n--- meta-data\n"
        + CloudInitSeed.META_DATA + "--- user-data\n" + CloudInitSeed.USER_DATA), printed);
  }

  @Test
  void theSeedPassesTheRealTools() throws IOException {
    HostTools.assume("qemu-img", "sfdisk", "fsck.fat", "fatlabel", "mcopy");
    Path seed = CloudInitSeed.build(dir, new PrintStream(new ByteArrayOutputStream()));
    String check = HostTools.ok("qemu-img", "check", seed.toString());
    assertTrue(check.contains("No errors were found on the image."), check);
    String info = HostTools.ok("qemu-img", "info", seed.toString());
    assertTrue(info.contains("file format: qcow2"), info);
    assertTrue(info.contains("backing file: base.raw"), info);
    assertTrue(info.contains("backing file format: raw"), info);
    Path raw = DiskFixtures.toRaw(seed, "seed.raw");
    HostTools.ok("sfdisk", "--verify", raw.toString());
    String json = HostTools.ok("sfdisk", "--json", raw.toString());
    assertTrue(json.contains("\"label\": \"gpt\""), json);
    assertEquals(1, json.split("\"node\"").length - 1, "one partition: " + json);
    Path part = DiskFixtures.extract(raw, 1, dir.resolve("cidata.img"));
    HostTools.ok("fsck.fat", "-n", part.toString());
    assertEquals("CIDATA", HostTools.ok("fatlabel", part.toString()).strip());
    assertArrayEquals(CloudInitSeed.USER_DATA.getBytes(StandardCharsets.UTF_8),
        HostTools.run(null, "mcopy", "-i", part.toString(), "::/user-data", "-").out());
    assertArrayEquals(CloudInitSeed.META_DATA.getBytes(StandardCharsets.UTF_8),
        HostTools.run(null, "mcopy", "-i", part.toString(), "::/meta-data", "-").out());
  }
}
