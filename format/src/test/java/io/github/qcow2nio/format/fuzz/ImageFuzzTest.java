package io.github.qcow2nio.format.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.InspectionPolicy;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Check;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.testing.Golden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import io.github.qcow2nio.format.testing.Mutation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Whole images, held in memory, built from the golden images by {@link Mutation}: opened, read
 * (active disk, every snapshot, the bitmaps) and checked; or opened writable, written, closed and
 * checked with repair; or inspected. The only acceptable outcomes are a result or an IOException; the
 * timeout only catches a hang.
 */
class ImageFuzzTest {
  /** The seed images, in the order a seed file's first byte picks them (see the Inputs dirs). */
  static final List<String> SEEDS = List.of("c512.qcow2", "v2.qcow2", "extl2.qcow2",
      "compressed-zlib.qcow2", "compressed-zstd.qcow2", "snapshot.qcow2", "chain-top.qcow2",
      "extdata.qcow2", "zero.qcow2", "refcount1.qcow2", "refcount64.qcow2", "v3-default.qcow2");
  static final List<byte[]> IMAGES = SEEDS.stream().map(Golden::bytes).toList();
  /** The files the golden images name: chain-top's backing chain and extdata's data file. */
  static final Map<String, byte[]> COMPANIONS = Map.of(
      "chain-mid.qcow2", Golden.bytes("chain-mid.qcow2"),
      "chain-base.raw", Golden.bytes("chain-base.raw"),
      "extdata.data", Golden.bytes("extdata.data"));
  /** Corrupt sizes can be huge: read at most this much of a disk, from its start and its end. */
  static final long READ_SPAN = 1L << 20;

  static Map<String, byte[]> files(byte[] input) {
    Map<String, byte[]> files = new HashMap<>(COMPANIONS);
    files.put("a.qcow2", Mutation.apply(IMAGES, input));
    return files;
  }

  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void openAndRead(byte[] input) {
    Map<String, byte[]> files = files(input);
    MemoryLocation at = new MemoryLocation(files, "a.qcow2");
    try (Qcow2Image image = Qcow2Image.open(at, OpenOptions.builder().locking(false).build())) {
      readSome(image.disk());
      image.bitmaps();
      for (SnapshotEntry s : image.snapshots()) {
        try {
          readSome(image.snapshotDisk(s.id()));
        } catch (IOException e) {
          // a bad snapshot does not keep the others from being read
        }
      }
    } catch (IOException expected) {
      // a named refusal
    }
    try {
      Qcow2Check.check(at, CheckOptions.check().toBuilder().locking(false).build());
    } catch (IOException expected) {
      // a named refusal
    }
  }

  /**
   * What an untrusted upload meets first: inspection under the untrusted policy, which reads the
   * header, its extensions and the other formats' signatures, and opens nothing the image names.
   */
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void inspect(byte[] input) {
    MemoryLocation at = new MemoryLocation(files(input), "a.qcow2");
    try {
      ImageOperations.inspect(at, InspectionPolicy.untrusted()).violations();
    } catch (IOException expected) {
      // a named refusal
    }
  }

  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void openWriteCheck(byte[] input) {
    Map<String, byte[]> files = files(input);
    MemoryLocation at = MemoryLocation.storing(files, "a.qcow2");
    SplittableRandom r = new SplittableRandom(Arrays.hashCode(input));
    try (Qcow2Image image = Qcow2Image.open(at,
        OpenOptions.builder().writable(true).locking(false).build())) {
      VirtualDisk d = image.disk();
      long span = Math.min(d.size(), READ_SPAN);
      for (int i = 0; i < 4 && span > 0; i++) {
        long pos = r.nextLong(span);
        byte[] b = new byte[(int) Math.min(1 + r.nextInt(8192), span - pos)];
        Arrays.fill(b, (byte) (i + 1));
        switch (r.nextInt(3)) {
          case 0 -> d.write(ByteBuffer.wrap(b), pos);
          case 1 -> d.writeZeros(pos, b.length);
          default -> d.discard(pos, b.length);
        }
      }
      d.flush();
    } catch (IOException expected) {
      // a named refusal
    }
    try {
      Qcow2Check.check(at,
          CheckOptions.repair(CheckOptions.Repair.ALL).toBuilder().locking(false).build());
      Qcow2Check.check(at, CheckOptions.check().toBuilder().locking(false).build());
    } catch (IOException expected) {
      // a named refusal
    }
  }

  static void readSome(VirtualDisk disk) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(65536);
    long size = disk.size();
    for (long pos = 0; pos < Math.min(size, READ_SPAN); pos += b.capacity()) {
      disk.read(b.clear(), pos);
    }
    if (size > 0) {
      disk.read(b.clear(), Math.max(0, size - b.capacity()));
      disk.blockStatus(0, size);
    }
  }
}
