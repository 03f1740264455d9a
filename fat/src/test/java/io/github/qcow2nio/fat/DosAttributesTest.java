package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dos view's four bits are the ones mattrib reads and sets. */
class DosAttributesTest {
  @TempDir Path tmp;

  /** mattrib's flag columns: Archive, System, Hidden, Read-only, as it prints them. */
  private static String flags(Path img, String file) throws Exception {
    String line = Tools.ok("mattrib", "-i", img.toString(), "::" + file).text();
    return line.substring(0, line.indexOf("::")).replace(" ", "");
  }

  @Test
  void bitsAgreeWithMattribBothWays() throws Exception {
    Tools.assume("mattrib");
    Path img = Volumes.format(tmp.resolve("d.img"), 2L << 20, FatType.FAT12);
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.writeString(fs.getPath("/plain"), "p");
      Files.writeString(fs.getPath("/marked"), "m");
      DosFileAttributeView v = Files.getFileAttributeView(fs.getPath("/marked"),
          DosFileAttributeView.class);
      v.setHidden(true);
      v.setSystem(true);
      v.setReadOnly(true);
      v.setArchive(false);
    }
    assertEquals("A", flags(img, "/plain"));
    assertEquals("SHR", flags(img, "/marked"));
    Tools.ok("mattrib", "-i", img.toString(), "+h", "-a", "::/plain");
    Tools.ok("mattrib", "-i", img.toString(), "-s", "-r", "+a", "::/marked");
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      DosFileAttributes p = Files.readAttributes(fs.getPath("/plain"), DosFileAttributes.class);
      DosFileAttributes m = Files.readAttributes(fs.getPath("/marked"), DosFileAttributes.class);
      assertEquals("hidden", (p.isArchive() ? "archive " : "") + (p.isSystem() ? "system " : "")
          + (p.isHidden() ? "hidden" : "") + (p.isReadOnly() ? " readonly" : ""));
      assertEquals("archive hidden", (m.isArchive() ? "archive " : "")
          + (m.isSystem() ? "system " : "") + (m.isHidden() ? "hidden" : "")
          + (m.isReadOnly() ? " readonly" : ""));
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }
}
