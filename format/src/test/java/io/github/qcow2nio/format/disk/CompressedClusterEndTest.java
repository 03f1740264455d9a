package io.github.qcow2nio.format.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compressed cluster that ends the image file: its descriptor's sectors run past the end of
 * the file (the part past it reads as zeros, as QEMU's does), a descriptor pointing exactly at
 * the end is corruption named as such (the reader learns it from the read's count, not from the
 * file's size), and either failure fails only the reads that need that cluster, whether read in
 * pieces or in large reads that cross it (and the read-ahead's).
 */
class CompressedClusterEndTest {
  private static final int CLUSTER = 64 * 1024;
  private static final int CLUSTERS = 12;

  @TempDir Path dir;

  private static byte[] text(int bytes) {
    String[] words = {"qcow2", "cluster", "refcount", "table", "zstd", "guest", "host"};
    Random rnd = new Random(13);
    StringBuilder sb = new StringBuilder(bytes + 16);
    while (sb.length() < bytes) {
      sb.append(words[rnd.nextInt(words.length)]).append(' ').append(rnd.nextInt(1000))
          .append('\n');
    }
    return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), bytes);
  }

  /** A zstd image of the text; returns the guest cluster whose stream lies last in the file. */
  private record Layout(Path path, byte[] data, int lastCluster, long offset, int frame) {}

  private Layout image() throws IOException {
    byte[] data = text(CLUSTERS * CLUSTER);
    Path p = dir.resolve("z.qcow2");
    try (Qcow2Image image = Qcow2Image.create(p,
        CreateOptions.builder(data.length).compressionType(1).build());
        CompressedWriter w = CompressedWriter.open((Qcow2Disk) image.disk())) {
      w.write(ByteBuffer.wrap(data));
    }
    try (Qcow2Image image = Qcow2Image.open(p)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      long[] table = disk.l2Table(0);
      int last = -1;
      long lastOffset = -1;
      for (int k = 0; k < CLUSTERS; k++) {
        long word = table[k];
        assertEquals(Qcow2Disk.COMPRESSED, (int) (disk.map(table, 0, (long) k * CLUSTER) & 3));
        long off = CompressedDescriptor.decode(word, 16).offset();
        if (off > lastOffset) {
          lastOffset = off;
          last = k;
        }
      }
      try (FileChannel ch = FileChannel.open(p)) {
        ByteBuffer b = ByteBuffer.allocate((int) (ch.size() - lastOffset));
        ch.read(b, lastOffset);
        long frame = Zstd.findFrameCompressedSize(b.array(), 0, b.capacity());
        assertTrue(frame > 0 && frame <= b.capacity(), "a whole frame at the end: " + frame);
        return new Layout(p, data, last, lastOffset, (int) frame);
      }
    }
  }

  private static void truncate(Path p, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  /** Reads the whole disk in {@code piece}-byte reads; returns the pieces that failed. */
  private static boolean[] readAll(Path p, byte[] data, int piece) throws IOException {
    boolean[] failed = new boolean[data.length / piece];
    try (Qcow2Image image = Qcow2Image.open(p)) {
      for (int i = 0; i < failed.length; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(piece);
        try {
          assertEquals(piece, image.disk().read(b, (long) i * piece));
        } catch (CorruptImageException e) {
          failed[i] = true;
          continue;
        }
        byte[] got = new byte[piece];
        b.flip().get(got);
        assertArrayEquals(Arrays.copyOfRange(data, i * piece, (i + 1) * piece), got,
            "piece " + i + " of " + piece + " bytes");
      }
    }
    return failed;
  }

  private static void assertFailedExactly(boolean[] failed, int piece, int badCluster) {
    for (int i = 0; i < failed.length; i++) {
      long start = (long) i * piece;
      boolean needs = start < (badCluster + 1L) * CLUSTER && start + piece > (long) badCluster
          * CLUSTER;
      assertEquals(needs, failed[i], "piece " + i + " of " + piece + " bytes");
    }
  }

  @Test
  void aStreamEndingTheFileMidSectorReadsWithTheRestAsZeros() throws IOException {
    Layout l = image();
    long end = l.offset() + l.frame();
    // The descriptor covers whole sectors; the file now stops where the stream does.
    truncate(l.path(), end);
    assertTrue(end % 512 != 0 || l.frame() > 0);
    for (int piece : new int[] {4096, CLUSTER, 1 << 20, CLUSTERS * CLUSTER}) {
      assertFailedExactly(readAll(l.path(), l.data(), piece), piece, -1);
    }
  }

  @Test
  void aDescriptorAtTheEndOfTheFileFailsOnlyTheReadsOfItsCluster() throws IOException {
    Layout l = image();
    truncate(l.path(), l.offset());
    try (Qcow2Image image = Qcow2Image.open(l.path())) {
      CorruptImageException e = assertThrows(CorruptImageException.class,
          () -> image.disk().read(ByteBuffer.allocate(512), (long) l.lastCluster() * CLUSTER));
      assertTrue(e.getMessage().contains("compressed data offset 0x"
          + Long.toHexString(l.offset()) + " lies outside"), e.getMessage());
      assertTrue(e.getMessage().contains("L2 entry " + l.lastCluster()), e.getMessage());
    }
    for (int piece : new int[] {4096, CLUSTER, 4 * CLUSTER}) {
      assertFailedExactly(readAll(l.path(), l.data(), piece), piece, l.lastCluster());
    }
  }

  @Test
  void aStreamCutShortAtTheEndFailsOnlyTheReadsOfItsCluster() throws IOException {
    Layout l = image();
    truncate(l.path(), l.offset() + l.frame() / 2);
    try (Qcow2Image image = Qcow2Image.open(l.path())) {
      CorruptImageException e = assertThrows(CorruptImageException.class,
          () -> image.disk().read(ByteBuffer.allocate(512), (long) l.lastCluster() * CLUSTER));
      assertTrue(e.getMessage().contains("compressed cluster (L2 entry " + l.lastCluster()),
          e.getMessage());
    }
    for (int piece : new int[] {4096, CLUSTER, 4 * CLUSTER}) {
      assertFailedExactly(readAll(l.path(), l.data(), piece), piece, l.lastCluster());
    }
  }
}
