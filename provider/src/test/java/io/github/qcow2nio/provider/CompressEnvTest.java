package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The env key {@code compress}: whole-cluster writes to unallocated clusters of {@code /disk} are
 * stored compressed (QEMU's compress filter), partial ones and overwrites normally; qemu-img reads
 * the result and finds it consistent.
 */
class CompressEnvTest {
  @TempDir Path dir;

  @Test
  void parsedAsABooleanOffByDefault() {
    assertFalse(Qcow2Env.parse(Map.of()).compress());
    assertTrue(Qcow2Env.parse(Map.of("compress", "true")).compress());
    assertTrue(Qcow2Env.parse(Map.of("compress", true)).compress());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("compress", "yes please")));
    assertTrue(e.getMessage().contains("'compress'") && e.getMessage().contains("true, false"),
        e.getMessage());
  }

  static byte[] text(int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; s.length() < length; i++) {
      s.append("line ").append(i).append(": the quick brown fox jumps over the lazy qcow2\n");
    }
    return Arrays.copyOf(s.toString().getBytes(StandardCharsets.US_ASCII), length);
  }

  @Test
  void wholeClustersAreStoredCompressedPartialOnesNormally() throws IOException {
    Path image = dir.resolve("c.qcow2");
    URI uri = URI.create("qcow2:" + image.toUri());
    byte[] whole = text(256 << 10);
    byte[] partial = text(1000);
    try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("create", "true", "size", "1M",
        "clusterSize", "64k", "compress", "true"));
        FileChannel disk = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE)) {
      disk.write(ByteBuffer.wrap(whole), 0);
      disk.write(ByteBuffer.wrap(partial), 512 << 10);
      // An overwrite of a compressed cluster makes it a normal one.
      disk.write(ByteBuffer.wrap(partial), 64 << 10);
    }
    byte[] expected = new byte[1 << 20];
    System.arraycopy(whole, 0, expected, 0, whole.length);
    System.arraycopy(partial, 0, expected, 512 << 10, partial.length);
    System.arraycopy(partial, 0, expected, 64 << 10, partial.length);
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk d = img.disk();
      assertEquals(ClusterType.COMPRESSED, d.blockStatus(0, 65536).type());
      assertEquals(ClusterType.NORMAL, d.blockStatus(64 << 10, 65536).type());
      assertEquals(ClusterType.COMPRESSED, d.blockStatus(128 << 10, 65536).type());
      assertEquals(ClusterType.COMPRESSED, d.blockStatus(192 << 10, 65536).type());
      assertEquals(ClusterType.NORMAL, d.blockStatus(512 << 10, 65536).type());
      byte[] b = new byte[1 << 20];
      d.read(ByteBuffer.wrap(b), 0);
      assertArrayEquals(expected, b);
    }
    if (Qemu.available()) {
      QemuImg.Check c = QemuImg.check(image);
      assertTrue(c.consistent(false), c.output());
      assertArrayEquals(expected, Qemu.rawContents(image, dir));
      long compressed = QemuImg.map(image).stream().filter(e -> e.data() && e.offset() < 0)
          .mapToLong(QemuImg.MapEntry::length).sum();
      assertEquals(3 * 65536, compressed, "qemu-img map: three clusters compressed");
    }
  }

  @Tag("qemu")
  @Test
  void imagesWithADataFileAreRefusedWhenWritable() throws IOException {
    Qemu.assumeAvailable();
    Path image = dir.resolve("d.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("d.raw"),
        image.toString(), "1M");
    URI uri = URI.create("qcow2:" + image.toUri());
    UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
        () -> FileSystems.newFileSystem(uri, Map.of("compress", "true")));
    assertTrue(e.getMessage().contains("Operation not supported"), e.getMessage());
    // Read-only, nothing is written, so nothing is refused; and the image was closed again.
    try (FileSystem fs = FileSystems.newFileSystem(uri,
        Map.of("compress", "true", "accessMode", "readOnly"))) {
      assertEquals(1 << 20, Files.size(fs.getPath("/disk")));
    }
  }
}
