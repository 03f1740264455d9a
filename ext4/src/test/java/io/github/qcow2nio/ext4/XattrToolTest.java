package io.github.qcow2nio.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.ext4.testing.Debugfs;
import io.github.qcow2nio.ext4.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extended attributes set by debugfs (so no host xattr support is needed) in each place ext4
 * keeps them: in the inode, in an attribute block, and (ea_inode) in an inode of their own; each
 * reads as debugfs's ea_get writes it out.
 */
class XattrToolTest {
  @TempDir
  Path dir;

  @Test
  void valuesInTheInodeInABlockAndInAnInodeOfTheirOwn() throws Exception {
    Tools.assume("mkfs.ext4", "debugfs");
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("f"), "f\n");
    Files.writeString(src.resolve("g"), "g\n");
    Path img = dir.resolve("x.img");
    Tools.run(List.of("mkfs.ext4", "-q", "-F", "-O", "ea_inode", "-b", "1024", "-d",
        src.toString(), img.toString(), "8M"));
    Path small = Files.writeString(dir.resolve("small"), "tiny");
    Path medium = Files.write(dir.resolve("medium"), pattern(300, 3));
    Path large = Files.write(dir.resolve("large"), pattern(1024, 7));
    set(img, "/f", "user.small", small);
    set(img, "/g", "user.a", medium);
    set(img, "/g", "user.b", medium);
    set(img, "/f", "user.large", large);
    assertTrue(Debugfs.one(img, "stat /g").matches("(?s).*File ACL: [1-9].*"),
        "/g's values should spill into an attribute block");
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      for (String file : List.of("/f", "/g")) {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(fs.getPath(file),
            UserDefinedFileAttributeView.class);
        TreeSet<String> names = new TreeSet<>();
        for (String line : Debugfs.eaList(img, file).split("\n")) {
          String t = line.trim();
          if (t.startsWith("user.")) {
            names.add(t.substring(5, t.indexOf(' ')));
          }
        }
        assertEquals(names, new TreeSet<>(v.list()), file);
        for (String n : names) {
          Path out = dir.resolve("out-" + n);
          Debugfs.one(img, "ea_get -f " + out + " " + file + " user." + n);
          ByteBuffer b = ByteBuffer.allocate(v.size(n));
          v.read(n, b);
          assertArrayEquals(Files.readAllBytes(out), b.array(), file + " user." + n);
        }
      }
    }
    // the large value lives in an inode flagged EA_INODE (0x200000), which ea_inode allows
    List<String> stats = new java.util.ArrayList<>();
    for (int ino = 12; ino <= 16; ino++) {
      stats.add("stat <" + ino + ">");
    }
    boolean eaInode = false;
    for (String out : Debugfs.batch(img, stats).values()) {
      if (out.contains("Flags:") && (Debugfs.parseStat(out).flags() & 0x200000) != 0) {
        eaInode = true;
      }
    }
    assertTrue(eaInode, "no inode holds an attribute value");
  }

  private static void set(Path img, String file, String name, Path value) throws Exception {
    Tools.run(List.of("debugfs", "-w", "-R", "ea_set -f " + value + " " + file + " " + name,
        img.toString()));
  }

  private static byte[] pattern(int n, int step) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * step);
    }
    return b;
  }
}
