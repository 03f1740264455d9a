package io.github.qcow2nio.format;

import io.github.qcow2nio.format.testing.Knobs;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.testing.Golden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random corruption of the golden images' metadata: whatever the bytes, opening and reading
 * the whole disk (and every snapshot) either works or throws an IOException, quickly. The seeds
 * are fixed so a failure reproduces.
 */
class MutationFuzzTest {
  static final int ROUNDS = Knobs.fuzzRounds(300);
  static final int[] INTERESTING = {0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x10000, 8, 9, 12,
      16, 21, 22, 104, 112, 0x200, 0x201, 0x1000, 0x40000000, 0x7FFFFE00, 65536, 65537};

  @ParameterizedTest
  @ValueSource(strings = {"c512.qcow2", "v2.qcow2", "extl2.qcow2", "compressed-zlib.qcow2",
      "compressed-zstd.qcow2", "snapshot.qcow2", "chain-top.qcow2", "extdata.qcow2",
      "zero.qcow2", "refcount1.qcow2"})
  void randomMetadataCorruption(String name) {
    byte[] golden = Golden.bytes(name);
    Map<String, byte[]> others = new HashMap<>();
    for (String f : new String[] {"chain-mid.qcow2", "chain-base.raw", "extdata.data"}) {
      others.put(f, Golden.bytes(f));
    }
    SplittableRandom r = new SplittableRandom(name.hashCode());
    // Metadata lives in the first clusters and the tables the golden layouts put there; hit the
    // header hard, the rest of the file less often.
    int hot = Math.min(golden.length, 0x2000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int round = 0; round < ROUNDS; round++) {
        byte[] b = golden.clone();
        int edits = 1 + r.nextInt(4);
        StringBuilder what = new StringBuilder();
        for (int i = 0; i < edits; i++) {
          int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(hot);
          if (r.nextBoolean() && at + 4 <= b.length) {
            // A whole 32-bit field, aligned, set to a value that breaks arithmetic.
            at &= ~3;
            int v = INTERESTING[r.nextInt(INTERESTING.length)];
            ByteBuffer.wrap(b).putInt(at, v);
            what.append(String.format(" [0x%x]=0x%08x", at, v));
            continue;
          }
          int v = switch (r.nextInt(4)) {
            case 0 -> 0xFF;
            case 1 -> 0;
            case 2 -> b[at] ^ (1 << r.nextInt(8));
            default -> r.nextInt(256);
          };
          b[at] = (byte) v;
          what.append(String.format(" [0x%x]=0x%02x", at, v & 0xFF));
        }
        Map<String, byte[]> files = new HashMap<>(others);
        files.put("a.qcow2", b);
        String label = name + " round " + round + ":" + what;
        long start = System.nanoTime();
        try {
          exercise(files);
        } catch (IOException expected) {
          // Fine: a named error.
        } catch (Throwable t) {
          fail(label + " threw " + t, t);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (ms > 1000) {
          fail(label + " took " + ms + " ms");
        }
      }
    });
  }

  static void exercise(Map<String, byte[]> files) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(files, "a.qcow2"),
        OpenOptions.readOnly())) {
      readAll(image.disk());
      for (SnapshotEntry s : image.snapshots()) {
        readAll(image.snapshotDisk(s.id()));
      }
    }
  }

  static void readAll(VirtualDisk disk) throws IOException {
    // Corrupt sizes can be huge: read at most 4 MiB, in 64 KiB steps, from the start and the end.
    ByteBuffer b = ByteBuffer.allocate(65536);
    long size = disk.size();
    for (long pos = 0; pos < Math.min(size, 4L << 20); pos += b.capacity()) {
      disk.read(b.clear(), pos);
    }
    if (size > 0) {
      disk.read(b.clear(), Math.max(0, size - b.capacity()));
    }
  }
}
