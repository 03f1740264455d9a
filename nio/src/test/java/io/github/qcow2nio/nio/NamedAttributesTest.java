package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamedAttributesTest {
  private static final FileTime T = FileTime.fromMillis(5000);

  /** A directory with times T, made of nothing but what PlainFileAttributes leaves open. */
  private static final PlainFileAttributes DIR = new PlainFileAttributes() {
    @Override
    public FileTime lastModifiedTime() {
      return T;
    }

    @Override
    public FileTime lastAccessTime() {
      return T;
    }

    @Override
    public FileTime creationTime() {
      return T;
    }

    @Override
    public boolean isDirectory() {
      return true;
    }

    @Override
    public long size() {
      return 0;
    }
  };

  @Test
  void aRequestWithoutAViewIsOfTheBasicView() {
    assertEquals(new NamedAttributes.Request("basic", "size"),
        NamedAttributes.Request.parse("size"));
    assertEquals(new NamedAttributes.Request("dos", "*"), NamedAttributes.Request.parse("dos:*"));
    assertEquals(new NamedAttributes.Request("", "x"), NamedAttributes.Request.parse(":x"));
  }

  @Test
  void plainAttributesAreDirectoriesOrFilesAndNothingElse() {
    assertFalse(DIR.isRegularFile());
    assertFalse(DIR.isSymbolicLink());
    assertFalse(DIR.isOther());
    assertNull(DIR.fileKey());
    Map<String, Object> basic = NamedAttributes.basic(DIR);
    assertEquals(List.of("lastModifiedTime", "lastAccessTime", "creationTime", "size",
        "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey"),
        new ArrayList<>(basic.keySet()));
    assertEquals(true, basic.get("isDirectory"));
    assertEquals(0L, basic.get("size"));
  }

  @Test
  void selectPicksTrimmedNamesAndStarAndRefusesInTheCallersWords() {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("a", 1);
    all.put("b", 2);
    assertEquals(Map.of("b", 2), NamedAttributes.select(all, " b", n -> null));
    assertEquals(all, NamedAttributes.select(all, "*", n -> null));
    assertEquals(all, NamedAttributes.select(all, "b,*", n -> null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NamedAttributes.select(all, "a,c", n -> new IllegalArgumentException("no " + n)));
    assertEquals("no c", e.getMessage());
  }

  @Test
  void timesAreSetByNameAndOtherNamesAreLeftToTheCaller(@TempDir Path dir) throws IOException {
    Path f = Files.createFile(dir.resolve("f"));
    BasicFileAttributeView v = Files.getFileAttributeView(f, BasicFileAttributeView.class);
    assertTrue(NamedAttributes.setTime(v, "lastModifiedTime", T));
    assertEquals(T, Files.getLastModifiedTime(f));
    assertFalse(NamedAttributes.setTime(v, "size", 1L));
    NamedAttributes.HostTimes times = NamedAttributes.HostTimes.of(f);
    assertEquals(T, times.modified());
    assertEquals(Files.readAttributes(f, BasicFileAttributes.class).lastAccessTime(),
        times.accessed());
  }

  @Test
  void theOwnViewIsTheOnlyOtherThanBasic() {
    assertFalse(NamedAttributes.isOwnView("basic", "dos", "a FAT file system"));
    assertTrue(NamedAttributes.isOwnView("dos", "dos", "a FAT file system"));
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> NamedAttributes.isOwnView("posix", "dos", "a FAT file system"));
    assertEquals("attribute view 'posix'; a FAT file system has basic and dos", e.getMessage());
  }

  @Test
  void hostTimesAreSetOnlyWhereTheFileSystemWrites(@TempDir Path dir) throws IOException {
    Path f = Files.createFile(dir.resolve("f"));
    assertThrows(java.nio.file.ReadOnlyFileSystemException.class,
        () -> NamedAttributes.HostTimes.set(f, true, T, null, null));
    NamedAttributes.HostTimes.set(f, false, T, null, null);
    assertEquals(T, Files.getLastModifiedTime(f));
  }

  @Test
  void aHostThatCannotSayHasEpochTimes(@TempDir Path dir) {
    NamedAttributes.HostTimes times = NamedAttributes.HostTimes.of(dir.resolve("gone"));
    assertEquals(FileTime.fromMillis(0), times.modified());
    assertEquals(FileTime.fromMillis(0), times.created());
  }
}
