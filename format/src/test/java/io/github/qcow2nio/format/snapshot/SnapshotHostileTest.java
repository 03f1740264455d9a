package io.github.qcow2nio.format.snapshot;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Snapshot operations on images whose snapshot entries lie: each refused with an exception of
 * the core naming what is wrong (never a RuntimeException), before anything is written.
 */
class SnapshotHostileTest {
  @TempDir Path dir;

  /** A field of the first snapshot entry to overwrite: its offset in the entry and value. */
  static Stream<Arguments> lies() {
    return Stream.of(
        Arguments.of("L1 offset unaligned", 0, 8, 0x10200L),
        Arguments.of("L1 offset past the end", 0, 8, 1L << 40),
        Arguments.of("L1 offset zero", 0, 8, 0L),
        Arguments.of("L1 size over 32 MiB", 8, 4, 0x00500000L),
        Arguments.of("L1 size negative", 8, 4, 0xFFFFFFF0L),
        Arguments.of("L2 table past the end", -1, 8, 0x8000010000000000L),
        Arguments.of("L2 table unaligned", -1, 8, 0x8000000000010200L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lies")
  void refusedCleanly(String what, int field, int width, long value) throws Exception {
    Path img = dir.resolve("h.qcow2");
    long tableOffset;
    long l1Offset;
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.defaults(1 << 20)
        .toBuilder().clusterSize(4096).build())) {
      image.disk().write(ByteBuffer.wrap(new byte[8192]), 0);
      image.createSnapshot("s");
      image.createSnapshot("t");
      tableOffset = image.header().snapshotsOffset();
      l1Offset = image.snapshots().get(0).l1TableOffset();
    }
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(width);
      if (width == 8) {
        b.putLong(value);
      } else {
        b.putInt((int) value);
      }
      // -1: the snapshot's first L1 entry.
      ch.write(b.flip(), field < 0 ? l1Offset : tableOffset + field);
    }
    byte[] lying = java.nio.file.Files.readAllBytes(img);
    for (String op : new String[] {"apply", "delete"}) {
      // A lie inside the tree (an L2 table) marks the image corrupt, as QEMU does; each
      // operation starts from the lying image.
      java.nio.file.Files.write(img, lying);
      try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
        IOException e = assertThrows(IOException.class, () -> {
          if (op.equals("apply")) {
            image.applySnapshot("s");
          } else {
            image.deleteSnapshot("s");
          }
        }, what + ": " + op);
        assertTrue(e instanceof Qcow2Exception, what + ": " + op + ": " + e);
        assertTrue(image.snapshots().size() == 2, what + ": " + op + " changed the table");
        if (field >= 0) {
          // A bad entry refuses the operation only: the active disk stays writable.
          image.disk().write(ByteBuffer.wrap(new byte[] {1}), 0);
          image.deleteSnapshot("t");
        }
      }
    }
  }
}
