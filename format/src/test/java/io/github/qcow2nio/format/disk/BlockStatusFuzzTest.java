package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.testing.Knobs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Golden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random corruption of the golden images, walked with {@link Qcow2Disk#blockStatus}:
 * whatever the bytes, each call returns a non-empty extent that starts where asked, or throws an
 * IOException; never anything else. Seeds are fixed so a failure reproduces.
 */
class BlockStatusFuzzTest {
  private static final int ROUNDS = Knobs.fuzzRounds(150);

  @ParameterizedTest
  @ValueSource(strings = {"c512.qcow2", "v2.qcow2", "extl2.qcow2", "compressed-zlib.qcow2",
      "snapshot.qcow2", "chain-top.qcow2", "extdata.qcow2", "zero.qcow2"})
  void corruptMetadataGivesExtentsOrIoExceptions(String name) {
    byte[] golden = Golden.bytes(name);
    Map<String, byte[]> others = new HashMap<>();
    for (String f : new String[] {"chain-mid.qcow2", "chain-base.raw", "extdata.data"}) {
      others.put(f, Golden.bytes(f));
    }
    SplittableRandom r = new SplittableRandom(name.hashCode() * 31L);
    int hot = Math.min(golden.length, 0x2000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int round = 0; round < ROUNDS; round++) {
        byte[] b = golden.clone();
        StringBuilder what = new StringBuilder();
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
          int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(hot);
          int v = r.nextBoolean() ? 0xFF : r.nextInt(256);
          b[at] = (byte) v;
          what.append(String.format(" [0x%x]=0x%02x", at, v));
        }
        Map<String, byte[]> files = new HashMap<>(others);
        files.put("a.qcow2", b);
        try {
          walk(files);
        } catch (IOException expected) {
          // Fine: a named error.
        } catch (Throwable t) {
          fail(name + " round " + round + ":" + what + " threw " + t, t);
        }
      }
    });
  }

  private static void walk(Map<String, byte[]> files) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(files, "a.qcow2"),
        OpenOptions.readOnly())) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      // Corrupt sizes can be huge: the first 4 MiB and the last byte.
      long size = disk.size();
      long pos = 0;
      while (pos < Math.min(size, 4L << 20)) {
        Extent e = disk.blockStatus(pos, size - pos);
        assertEquals(pos, e.start());
        assertTrue(e.length() > 0 && e.end() <= size, e.toString());
        pos = e.end();
      }
      if (size > 0) {
        assertEquals(1, disk.blockStatus(size - 1, Long.MAX_VALUE).length());
      }
    }
  }
}
