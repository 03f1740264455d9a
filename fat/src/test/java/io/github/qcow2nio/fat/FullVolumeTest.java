package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of clusters or of root entries fails the call and leaves the volume whole. */
class FullVolumeTest {
  @TempDir Path tmp;

  @Test
  void writesFailCleanlyWhenTheVolumeIsFull() throws Exception {
    Path img = Volumes.format(tmp.resolve("full.img"), 200L << 10, FatType.FAT12,
        FormatOptions.defaults().withSectorsPerCluster(1));
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      int i = 0;
      while (true) {
        byte[] b = new byte[7000 + i];
        java.util.Arrays.fill(b, (byte) i);
        Path p = fs.getPath("/file " + i);
        try {
          Files.write(p, b);
        } catch (IOException e) {
          assertTrue(e.getMessage().contains("no space"), e.toString());
          // The file was created before its data failed to fit: it is there, and empty.
          model.put("/file " + i, new byte[0]);
          break;
        }
        model.put("/file " + i, b);
        i++;
      }
      // A directory needs a cluster of its own: refused, and nothing is leaked.
      long free = Files.getFileStore(fs.getPath("/")).getUnallocatedSpace();
      if (free == 0) {
        assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/d")));
      }
      assertEquals(free, Files.getFileStore(fs.getPath("/")).getUnallocatedSpace());
      assertEquals("", Trees.diff(model, Trees.read(fs.getPath("/"))));
    }
    Tools.assume("fsck.fat", "mdir", "mtype");
    Tools.assertFsckClean(img);
    assertEquals("", Trees.diff(model, Trees.mtoolsRead(img)));
  }

  @Test
  void aFullRootDirectoryRefusesMoreNames() throws Exception {
    Path img = Volumes.format(tmp.resolve("root.img"), 2L << 20, FatType.FAT12,
        FormatOptions.defaults().withRootEntries(16));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      for (int i = 0; i < 16; i++) {
        Files.write(fs.getPath("/F" + i), new byte[] {(byte) i});
      }
      long free = Files.getFileStore(fs.getPath("/")).getUnallocatedSpace();
      assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/D")));
      assertThrows(IOException.class, () -> Files.write(fs.getPath("/a long name"),
          new byte[1]));
      assertEquals(free, Files.getFileStore(fs.getPath("/")).getUnallocatedSpace());
      // A rename that needs more entries than the full root has fails, and the file stays.
      assertThrows(IOException.class, () -> Files.move(fs.getPath("/F3"),
          fs.getPath("/a name too long for one entry")));
      // One that fits in the entries it frees goes through.
      Files.move(fs.getPath("/F4"), fs.getPath("/G4"));
      Files.move(fs.getPath("/G4"), fs.getPath("/F4"));
      for (int i = 0; i < 16; i++) {
        assertArrayEquals(new byte[] {(byte) i}, Files.readAllBytes(fs.getPath("/f" + i)));
      }
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
    try (FileSystem fs = FileSystems.newFileSystem(img, Map.of("accessMode", "readOnly"))) {
      assertEquals(16, Files.list(fs.getPath("/")).count());
    }
  }
}
