package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images made by mkfs.fat and mtools (golden/make-golden.sh), committed with what mtools listed
 * and read from them: the reader is checked against them without any tool installed.
 */
class GoldenImagesTest {
  @TempDir Path tmp;

  private Path unpack(String name) throws IOException {
    Path img = tmp.resolve(name + ".img");
    try (InputStream in = new GZIPInputStream(
        GoldenImagesTest.class.getResourceAsStream("/golden/" + name + ".img.gz"))) {
      Files.copy(in, img);
    }
    return img;
  }

  /** "path/" for a directory, else "path\tsize\tsha256", as the manifest has it. */
  private static TreeMap<String, String> manifest(String name) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (InputStream in = GoldenImagesTest.class.getResourceAsStream(
        "/golden/" + name + ".manifest")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isEmpty()) {
          int tab = line.indexOf('\t');
          out.put(tab < 0 ? line : line.substring(0, tab), tab < 0 ? "" : line.substring(tab + 1));
        }
      }
    }
    return out;
  }

  private static TreeMap<String, String> describe(Map<String, byte[]> tree) throws Exception {
    TreeMap<String, String> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : tree.entrySet()) {
      byte[] b = e.getValue();
      out.put(e.getKey(), b == null ? "" : b.length + "\t"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"fat12", "fat16", "fat32"})
  void readsAsMtoolsDid(String name) throws Exception {
    Path img = unpack(name);
    try (FileSystem fs = FileSystems.newFileSystem(img, Map.of("accessMode", "readOnly"))) {
      assertEquals(manifest(name), describe(Trees.read(fs.getPath("/"))));
      FileStore store = Files.getFileStore(fs.getPath("/"));
      assertEquals(name, store.type());
      assertEquals("GOLDEN" + name.substring(3), store.name());
      // mtools stamped this file with the local time 2011-12-13 14:15:16 (even seconds kept).
      assertEquals(LocalDateTime.of(2011, 12, 13, 14, 15, 16), LocalDateTime.ofInstant(
          Files.getLastModifiedTime(fs.getPath("/stamped FILE.txt")).toInstant(),
          ZoneId.systemDefault()));
      if (name.equals("fat32")) {
        assertEquals(fsInfoFree(img) * 512, store.getUnallocatedSpace());
      }
    }
  }

  /** Writing keeps FAT32's FSInfo free count equal to the FAT's, tools or no tools. */
  @ParameterizedTest
  @ValueSource(strings = {"fat32"})
  void writingKeepsFsInfoRight(String name) throws Exception {
    Path img = unpack(name);
    long free;
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.write(fs.getPath("/Deep/new file"), new byte[100_000]);
      Files.delete(fs.getPath("/Deep/frag1"));
      free = Files.getFileStore(fs.getPath("/")).getUnallocatedSpace() / 512;
    }
    assertEquals(free, fsInfoFree(img));
    TreeMap<String, String> expected = manifest(name);
    expected.remove("/Deep/frag1");
    expected.put("/Deep/new file", "100000\t"
        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[100_000])));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertEquals(expected, describe(Trees.read(fs.getPath("/"))));
    }
  }

  private static long fsInfoFree(Path img) throws IOException {
    try (FileChannel ch = FileChannel.open(img)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, 512 + 488);
      return b.getInt(0) & 0xffffffffL;
    }
  }
}
