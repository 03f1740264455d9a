package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Volumes made by mkfs.fat and filled by mtools (long names, deep directories, empty files,
 * files of many clusters, a fragmented file) list and read through our provider exactly as
 * mtools lists and reads them: from the raw image, and from the same image converted to a
 * compressed qcow2 and read through the qcow2 provider's /disk.
 */
class MtoolsImagesTest {
  @TempDir Path tmp;

  static Stream<Arguments> volumes() {
    return Stream.of(
        Arguments.of(12, 1, 2L << 20, 512),
        Arguments.of(12, 4, 6L << 20, 512),
        Arguments.of(16, 1, 16L << 20, 512),
        Arguments.of(16, 8, 64L << 20, 512),
        Arguments.of(32, 1, 40L << 20, 512),
        Arguments.of(32, 8, 300L << 20, 512),
        Arguments.of(12, 1, 8L << 20, 4096),
        Arguments.of(16, 1, 64L << 20, 4096),
        Arguments.of(32, 1, 300L << 20, 4096));
  }

  @ParameterizedTest(name = "FAT{0}, {1} sectors of {3} bytes per cluster")
  @MethodSource("volumes")
  void readsWhatMtoolsWrote(int bits, int spc, long size, int sector) throws Exception {
    Tools.assume("mkfs.fat", "mcopy", "mmd", "mdir", "mtype", "mdel");
    Path img = tmp.resolve("v.img");
    try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
      f.setLength(size);
    }
    Tools.ok("mkfs.fat", "-F", "" + bits, "-s", "" + spc, "-S", "" + sector, "-n",
        "TOOLS" + bits, img.toString());
    LinkedHashMap<String, byte[]> tree = Trees.random(bits * 100L + spc + sector, sector * spc);
    Trees.mtoolsWrite(img, tree, tmp);
    fragment(img, tree, sector * spc);

    TreeMap<String, byte[]> mtools = Trees.mtoolsRead(img);
    assertEquals("", Trees.diff(Trees.sorted(tree), mtools), "mtools reads back what it wrote");
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertInstanceOf(FatFileSystem.class, fs);
      assertEquals("", Trees.diff(mtools, Trees.read(fs.getPath("/"))));
      assertEquals("TOOLS" + bits, fs.getFileStores().iterator().next().name());
      assertEquals("fat" + bits, fs.getFileStores().iterator().next().type());
    }

    Tools.assume("qemu-img");
    Path qcow = tmp.resolve("v.qcow2");
    Tools.ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", img.toString(),
        qcow.toString());
    try (FileSystem image = FileSystems.newFileSystem(qcow);
        FileSystem fs = FileSystems.newFileSystem(image.getPath("/disk"))) {
      assertInstanceOf(FatFileSystem.class, fs);
      assertEquals("", Trees.diff(mtools, Trees.read(fs.getPath("/"))));
    }
  }

  /** Small files, every other one deleted, then a big file that must fill the holes. */
  private void fragment(Path img, Map<String, byte[]> tree, int clusterSize) throws Exception {
    Tools.ok("mmd", "-i", img.toString(), "::/frag");
    tree.put("/frag/", null);
    java.util.Random r = new java.util.Random(clusterSize);
    for (int i = 0; i < 12; i++) {
      byte[] b = new byte[clusterSize * 2];
      r.nextBytes(b);
      Files.write(tmp.resolve("c"), b);
      Tools.ok("mcopy", "-i", img.toString(), tmp.resolve("c").toString(), "::/frag/f" + i);
      tree.put("/frag/f" + i, b);
    }
    for (int i = 0; i < 12; i += 2) {
      Tools.ok("mdel", "-i", img.toString(), "::/frag/f" + i);
      tree.remove("/frag/f" + i);
    }
    byte[] big = new byte[clusterSize * 40 + 77];
    r.nextBytes(big);
    Files.write(tmp.resolve("c"), big);
    Tools.ok("mcopy", "-i", img.toString(), tmp.resolve("c").toString(), "::/frag/big fragmented");
    tree.put("/frag/big fragmented", big);
  }
}
