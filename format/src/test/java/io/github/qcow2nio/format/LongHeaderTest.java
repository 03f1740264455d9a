package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** header_length may reach the cluster size; fields past 112 are unknown and kept. */
@Tag("qemu")
class LongHeaderTest {
  @TempDir Path dir;

  @Test
  void headerLongerThanFourKibibytesOpens() throws Exception {
    Qemu.assumeAvailable();
    Path img = dir.resolve("long.qcow2");
    Qemu.img("create", "-f", "qcow2", img.toString(), "1M");
    Qemu.io(img, "write -P 0x5a 0 4096");
    byte[] expected = Qemu.rawContents(img, dir);
    // A fresh image's cluster 0 holds the 112-byte header, the feature table and the end
    // marker (504..511). Move the extensions up behind a header of 8192 bytes whose unknown
    // tail is zero, as a future writer might.
    byte[] cluster0 = new byte[65536];
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.read(ByteBuffer.wrap(cluster0), 0);
      byte[] rewritten = new byte[65536];
      System.arraycopy(cluster0, 0, rewritten, 0, 112);
      System.arraycopy(cluster0, 112, rewritten, 8192, 512 - 112);
      ByteBuffer.wrap(rewritten).putInt(100, 8192);
      ch.write(ByteBuffer.wrap(rewritten), 0);
    }
    try (Qcow2Image image = Qcow2Image.open(img)) {
      assertEquals(8192, image.header().headerLength());
      assertEquals(8192 - 112, image.header().unknownTrailer().length);
      assertEquals(true, image.extensions().featureNames().isPresent());
      ByteBuffer all = ByteBuffer.allocate(expected.length);
      image.disk().read(all, 0);
      assertArrayEquals(expected, all.array());
    }
    // qemu-img agrees that this is a valid image.
    assertArrayEquals(expected, Qemu.rawContents(img, dir));
    Files.delete(img);
  }
}
