package io.github.qcow2nio.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.ext4.testing.Golden;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The committed images read, from jimfs, exactly as debugfs described them when they were made:
 * so the reader is checked where mkfs.ext4 and debugfs are not installed.
 */
class GoldenImageTest {
  static final List<String> NAMES = Golden.NAMES;

  @ParameterizedTest
  @FieldSource("NAMES")
  void matchesDebugfsManifest(String name) throws Exception {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path img = jimfs.getPath("/" + name + ".img");
      Files.write(img, Golden.image(name));
      try (FileSystem fs = FileSystems.newFileSystem(img)) {
        List<Golden.Entry> manifest = Golden.manifest(name);
        Map<String, TreeSet<String>> children = new TreeMap<>();
        children.put("/", new TreeSet<>());
        for (Golden.Entry e : manifest) {
          Path p = fs.getPath(e.path());
          Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
          assertEquals(e.ino(), a.get("ino"), "ino of " + p);
          assertEquals(e.mode(), a.get("mode"), "mode of " + p);
          assertEquals(e.uid(), ((Integer) a.get("uid")).longValue(), "uid of " + p);
          assertEquals(e.gid(), ((Integer) a.get("gid")).longValue(), "gid of " + p);
          assertEquals(e.size(), a.get("size"), "size of " + p);
          assertEquals(e.links(), a.get("nlink"), "links of " + p);
          if (e.isRegularFile()) {
            assertEquals(e.content(), ToolInteropTest.digest(p), "bytes of " + p);
          } else if (e.isSymlink()) {
            assertEquals(e.content(), Files.readSymbolicLink(p).toString(), "target of " + p);
          } else if (e.isDirectory()) {
            children.put(e.path(), new TreeSet<>());
          }
          children.get(p.getParent().toString()).add(p.getFileName().toString());
        }
        for (Map.Entry<String, TreeSet<String>> d : children.entrySet()) {
          TreeSet<String> ours = new TreeSet<>();
          try (Stream<Path> s = Files.list(fs.getPath(d.getKey()))) {
            s.forEach(c -> ours.add(c.getFileName().toString()));
          }
          assertEquals(d.getValue(), ours, "names in " + d.getKey());
        }
        checkXattrs(name, fs);
        if (name.equals("ext4-inline")) {
          // small directories of this image keep their entries in the inode
          assertTrue(((Integer) Files.getAttribute(fs.getPath("/deep/d0"), "unix:flags")
              & 0x10000000) != 0, "/deep/d0 should be an inline directory");
        }
        checkOwnedFile(fs);
        assertTrue(Files.isSameFile(fs.getPath("/links/hard"), fs.getPath("/hello.txt")));
        // the slow link goes through "leaf---...", which does not exist: as on Linux, the
        // name after ".." does not rescue a path whose earlier name is missing
        assertThrows(NoSuchFileException.class, () -> Files.readString(fs.getPath("/links/slow")));
        assertEquals("leaf\n", Files.readString(
            fs.getPath("/deep/d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/../d9/./leaf")));
      }
    }
  }

  /** The values debugfs's ea_list printed when the image was made. */
  private static void checkXattrs(String name, FileSystem fs) throws Exception {
    String listed = Golden.text(name + ".xattrs");
    UserDefinedFileAttributeView hello = Files.getFileAttributeView(fs.getPath("/hello.txt"),
        UserDefinedFileAttributeView.class);
    UserDefinedFileAttributeView mid = Files.getFileAttributeView(fs.getPath("/mid.bin"),
        UserDefinedFileAttributeView.class);
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("user\\.(\\w+) \\((\\d+)\\)(?: = \"([^\"]*)\")?").matcher(listed);
    while (m.find()) {
      found.add(m.group(1));
      UserDefinedFileAttributeView v = m.group(1).equals("greeting") ? hello : mid;
      assertEquals(Integer.parseInt(m.group(2)), v.size(m.group(1)));
      if (m.group(3) != null) {
        assertEquals(m.group(3), new String((byte[]) Files.getAttribute(
            fs.getPath(v == hello ? "/hello.txt" : "/mid.bin"), "user:" + m.group(1)),
            StandardCharsets.UTF_8));
      }
    }
    assertEquals(List.of("greeting", "long"), found);
    assertEquals(List.of("greeting"), hello.list());
    assertEquals(List.of("long"), mid.list());
  }

  private static void checkOwnedFile(FileSystem fs) throws Exception {
    PosixFileAttributes a = Files.readAttributes(fs.getPath("/owned"), PosixFileAttributes.class);
    assertEquals("1000", a.owner().getName());
    assertEquals("2000", a.group().getName());
    assertEquals(PosixFilePermissions.fromString("rwxr-x---"), a.permissions());
    assertEquals(04750, ((Integer) Files.getAttribute(fs.getPath("/owned"), "unix:mode")) & 07777);
    assertEquals(a.owner(), fs.getUserPrincipalLookupService().lookupPrincipalByName("1000"));
    assertFalse(a.isOther());
  }
}
