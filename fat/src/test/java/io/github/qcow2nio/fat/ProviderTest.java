package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NIO contract of the provider on a fresh FAT16 volume. */
class ProviderTest {
  @TempDir Path tmp;
  Path img;

  @BeforeEach
  void volume() throws Exception {
    img = Volumes.format(tmp.resolve("p.img"), 16L << 20, FatType.FAT16);
  }

  @Test
  void foundByNewFileSystemAndNamedByUris() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertInstanceOf(FatFileSystem.class, fs);
      assertEquals("fat", fs.provider().getScheme());
      Files.writeString(fs.getPath("/dir!x"), "bang");
      URI u = fs.getPath("/dir!x").toUri();
      assertEquals("fat:" + img.toUri() + "!/dir%21x", u.toString());
      assertEquals(fs.getPath("/dir!x"), Paths.get(u));
      assertSame(fs, FileSystems.getFileSystem(URI.create("fat:" + img.toUri())));
      assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(img));
    }
    try (FileSystem fs = FileSystems.newFileSystem(URI.create("fat:" + img.toUri()), Map.of())) {
      assertEquals("bang", Files.readString(fs.getPath("/DIR!X")));
    }
  }

  @Test
  void otherBytesAreLeftToOtherProviders() throws Exception {
    Path zeros = tmp.resolve("zeros");
    Files.write(zeros, new byte[1 << 16]);
    assertThrows(UnsupportedOperationException.class,
        () -> new FatFileSystemProvider().newFileSystem(zeros, Map.of()));
    // A partitioned disk: an MBR (no jump, a partition entry) before a FAT volume.
    Path disk = tmp.resolve("mbr");
    byte[] mbr = new byte[1 << 20];
    mbr[446 + 4] = 0x0e;
    mbr[446 + 8] = 8;
    mbr[446 + 12] = (byte) 0xf8;
    mbr[510] = 0x55;
    mbr[511] = (byte) 0xaa;
    Files.write(disk, mbr);
    assertThrows(UnsupportedOperationException.class,
        () -> new FatFileSystemProvider().newFileSystem(disk, Map.of()));
    Path tiny = tmp.resolve("tiny");
    Files.write(tiny, new byte[100]);
    assertThrows(UnsupportedOperationException.class,
        () -> new FatFileSystemProvider().newFileSystem(tiny, Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(img, Map.of("bogus", "1")));
  }

  @Test
  void readOnlyAccessModeWritesNothing() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.writeString(fs.getPath("/f"), "x");
    }
    byte[] before = Files.readAllBytes(img);
    try (FileSystem fs = FileSystems.newFileSystem(img, Map.of("accessMode", "readOnly"))) {
      assertTrue(fs.isReadOnly());
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.writeString(fs.getPath("/g"), "y"));
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.createDirectory(fs.getPath("/d")));
      assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(fs.getPath("/f")));
      assertThrows(AccessDeniedException.class,
          () -> fs.provider().checkAccess(fs.getPath("/f"), AccessMode.WRITE));
      assertEquals("x", Files.readString(fs.getPath("/f")));
    }
    assertArrayEquals(before, Files.readAllBytes(img));
  }

  @Test
  void namespaceErrorsAreNioExceptions() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.createDirectory(fs.getPath("/d"));
      Files.writeString(fs.getPath("/d/f.txt"), "x");
      assertThrows(NoSuchFileException.class, () -> Files.readString(fs.getPath("/nope")));
      assertThrows(NoSuchFileException.class, () -> Files.createDirectory(fs.getPath("/a/b")));
      assertThrows(NotDirectoryException.class,
          () -> Files.readString(fs.getPath("/d/f.txt/x")));
      assertThrows(NotDirectoryException.class,
          () -> Files.newDirectoryStream(fs.getPath("/d/f.txt")));
      assertThrows(FileAlreadyExistsException.class,
          () -> Files.createDirectory(fs.getPath("/D")));
      assertThrows(FileAlreadyExistsException.class, () -> Files.writeString(fs.getPath(
          "/d/F.TXT"), "y", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(fs.getPath("/d")));
      assertThrows(FileSystemException.class, () -> Files.move(fs.getPath("/d"),
          fs.getPath("/d/inside")));
      assertThrows(FileSystemException.class, () -> Files.newByteChannel(fs.getPath("/d")));
      assertThrows(FileSystemException.class, () -> Files.writeString(fs.getPath("/bad:name"),
          "x"));
      Files.delete(fs.getPath("/d/f.txt"));
      Files.delete(fs.getPath("/d"));
      assertFalse(Files.exists(fs.getPath("/d")));
    }
  }

  @Test
  void channelOptions() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Path f = fs.getPath("/chan.bin");
      assertThrows(NoSuchFileException.class,
          () -> Files.newByteChannel(f, StandardOpenOption.WRITE));
      try (SeekableByteChannel ch = Files.newByteChannel(f, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.READ)) {
        ch.write(ByteBuffer.wrap("hello world".getBytes()));
        ch.position(6);
        ByteBuffer b = ByteBuffer.allocate(5);
        ch.read(b);
        assertEquals("world", new String(b.array()));
        ch.position(20);
        ch.write(ByteBuffer.wrap("!".getBytes()));
        assertEquals(21, ch.size());
        ch.truncate(5);
        assertEquals(5, ch.size());
        assertEquals(5, ch.position());
      }
      assertEquals("hello", Files.readString(f));
      Files.writeString(f, " there", StandardOpenOption.APPEND);
      assertEquals("hello there", Files.readString(f));
      Files.writeString(f, "new", StandardOpenOption.TRUNCATE_EXISTING);
      assertEquals("new", Files.readString(f));
      try (SeekableByteChannel ch = Files.newByteChannel(f, StandardOpenOption.READ)) {
        assertThrows(NonWritableChannelException.class,
            () -> ch.write(ByteBuffer.wrap(new byte[1])));
      }
      // A gap left by a write past the end reads as zeros, whatever the clusters held before.
      byte[] junk = new byte[10000];
      java.util.Arrays.fill(junk, (byte) 0x5a);
      Files.write(fs.getPath("/junk"), junk);
      Files.delete(fs.getPath("/junk"));
      try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/gap"),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.position(9000);
        ch.write(ByteBuffer.wrap(new byte[] {1}));
      }
      byte[] gap = Files.readAllBytes(fs.getPath("/gap"));
      byte[] expect = new byte[9001];
      expect[9000] = 1;
      assertArrayEquals(expect, gap);
      try (OutputStream out = Files.newOutputStream(fs.getPath("/stream"));
          InputStream in = Files.newInputStream(fs.getPath("/gap"))) {
        in.transferTo(out);
      }
      assertArrayEquals(expect, Files.readAllBytes(fs.getPath("/stream")));
    }
  }

  @Test
  void fileChannelsArePositionalAndLock() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Path f = fs.getPath("/fc.bin");
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f,
          StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap("0123456789".getBytes()), 5000);
        assertEquals(5010, ch.size());
        assertEquals(0, ch.position());
        ByteBuffer b = ByteBuffer.allocate(4);
        ch.read(b, 5003);
        assertEquals("3456", new String(b.array()));
        java.nio.channels.FileLock lock = ch.lock(0, 100, false);
        assertThrows(java.nio.channels.OverlappingFileLockException.class,
            () -> ch.tryLock(50, 10, false));
        lock.release();
        ch.tryLock(50, 10, false).close();
        Path out = tmp.resolve("transferred");
        try (java.nio.channels.FileChannel target = java.nio.channels.FileChannel.open(out,
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          assertEquals(10, ch.transferTo(5000, 100, target));
        }
        assertEquals("0123456789", Files.readString(out));
        ch.force(true);
      }
      assertEquals(5010, Files.size(f));
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }

  @Test
  void listingsGlobsAndCaseInsensitiveNames() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      for (String n : List.of("Alpha.txt", "beta.TXT", "gamma.dat", "A much longer name.txt")) {
        Files.writeString(fs.getPath("/" + n), n);
      }
      TreeSet<String> txt = new TreeSet<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath("/"), "*.txt")) {
        ds.forEach(p -> txt.add(p.getFileName().toString()));
      }
      assertEquals(new TreeSet<>(List.of("Alpha.txt", "beta.TXT", "A much longer name.txt")),
          txt);
      assertEquals("Alpha.txt", Files.readString(fs.getPath("/ALPHA.TXT")));
      assertEquals("/A much longer name.txt",
          fs.getPath("/a MUCH longer NAME.txt").toRealPath().toString());
      assertTrue(Files.isSameFile(fs.getPath("/alpha.txt"), fs.getPath("/./ALPHA.TXT")));
      assertFalse(Files.isSameFile(fs.getPath("/alpha.txt"), fs.getPath("/beta.txt")));
      Files.move(fs.getPath("/alpha.txt"), fs.getPath("/ALPHA.txt"));
      try (var s = Files.list(fs.getPath("/"))) {
        assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("ALPHA.txt")));
      }
    }
  }

  @Test
  void moveCopyAndReplace() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.createDirectories(fs.getPath("/a/b"));
      Files.createDirectory(fs.getPath("/c"));
      Files.writeString(fs.getPath("/a/b/f"), "F");
      Files.writeString(fs.getPath("/c/g"), "G");
      Files.move(fs.getPath("/a/b"), fs.getPath("/c/b2"));
      assertEquals("F", Files.readString(fs.getPath("/c/b2/f")));
      assertEquals("F", Files.readString(fs.getPath("/c/b2/../b2/./f")));
      assertThrows(FileAlreadyExistsException.class,
          () -> Files.move(fs.getPath("/c/g"), fs.getPath("/c/b2/f")));
      Files.move(fs.getPath("/c/g"), fs.getPath("/c/b2/f"), StandardCopyOption.REPLACE_EXISTING);
      assertEquals("G", Files.readString(fs.getPath("/c/b2/f")));
      Files.copy(fs.getPath("/c/b2/f"), fs.getPath("/copy"));
      assertEquals("G", Files.readString(fs.getPath("/copy")));
      Files.writeString(fs.getPath("/other"), "O");
      Files.copy(fs.getPath("/other"), fs.getPath("/copy"), StandardCopyOption.REPLACE_EXISTING);
      assertEquals("O", Files.readString(fs.getPath("/copy")));
      // Out to the default file system and back in.
      Path out = tmp.resolve("out.txt");
      Files.copy(fs.getPath("/copy"), out);
      Files.copy(out, fs.getPath("/back"));
      assertEquals("O", Files.readString(fs.getPath("/back")));
    }
    Tools.assume("fsck.fat", "mtype");
    Tools.assertFsckClean(img);
    assertEquals("G", new String(Tools.mtype(img, "/c/b2/f")));
  }

  @Test
  void attributesAndTimes() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(2);
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Path f = fs.getPath("/t.txt");
      Files.writeString(f, "abc");
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      Instant after = Instant.now().plusSeconds(2);
      assertTrue(a.isRegularFile() && !a.isDirectory() && a.size() == 3);
      assertTrue(!a.lastModifiedTime().toInstant().isBefore(before)
          && a.lastModifiedTime().toInstant().isBefore(after), a.lastModifiedTime().toString());
      assertTrue(!a.creationTime().toInstant().isBefore(before)
          && a.creationTime().toInstant().isBefore(after), a.creationTime().toString());
      Instant set = Instant.parse("2001-02-03T04:05:07.300Z");
      Files.setLastModifiedTime(f, FileTime.from(set));
      // FAT keeps even seconds.
      assertEquals(set.minusMillis(1300), Files.getLastModifiedTime(f).toInstant());
      DosFileAttributeView dos = Files.getFileAttributeView(f, DosFileAttributeView.class);
      dos.setHidden(true);
      dos.setReadOnly(true);
      DosFileAttributes d = Files.readAttributes(f, DosFileAttributes.class);
      assertTrue(d.isHidden() && d.isReadOnly() && d.isArchive() && !d.isSystem());
      assertTrue(Files.isHidden(f));
      assertEquals(true, Files.getAttribute(f, "dos:hidden"));
      assertThrows(AccessDeniedException.class, () -> Files.writeString(f, "no"));
      assertFalse(Files.isWritable(f));
      Files.setAttribute(f, "dos:readonly", false);
      assertTrue(Files.isWritable(f));
      Map<String, Object> m = Files.readAttributes(f, "dos:*");
      assertEquals(3L, m.get("size"));
      assertTrue(Files.readAttributes(fs.getPath("/"), BasicFileAttributes.class).isDirectory());
    }
  }

  private interface Change {
    void run() throws Exception;
  }

  @Test
  void aDirectoryIsStampedWhenItsEntriesChange() throws Exception {
    FileTime old = FileTime.from(Instant.parse("1999-01-01T12:00:00Z"));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Path a = fs.getPath("/a");
      Path b = fs.getPath("/b");
      Files.createDirectory(a);
      Files.createDirectory(b);
      List<Change> changes = List.of(
          () -> Files.writeString(fs.getPath("/a/f"), "f"),
          () -> Files.move(fs.getPath("/a/f"), fs.getPath("/b/f")),
          () -> Files.move(fs.getPath("/b/f"), fs.getPath("/b/g")),
          () -> Files.delete(fs.getPath("/b/g")));
      String[] stamped = {"a", "ab", "b", "b"};
      for (int i = 0; i < changes.size(); i++) {
        Files.setLastModifiedTime(a, old);
        Files.setLastModifiedTime(b, old);
        changes.get(i).run();
        String now = (Files.getLastModifiedTime(a).equals(old) ? "" : "a")
            + (Files.getLastModifiedTime(b).equals(old) ? "" : "b");
        assertEquals(stamped[i], now, "change " + i);
      }
      // Reading and writing a file's contents leaves its directory as it was.
      Files.writeString(fs.getPath("/a/h"), "h");
      Files.setLastModifiedTime(a, old);
      Files.writeString(fs.getPath("/a/h"), "more", StandardOpenOption.APPEND);
      Files.readString(fs.getPath("/a/h"));
      assertEquals(old, Files.getLastModifiedTime(a));
    }
  }

  @Test
  void storeSpaceFollowsTheFreeCount() throws Exception {
    Path img = Volumes.format(tmp.resolve("s.img"), 16L << 20, FatType.FAT16,
        FormatOptions.defaults().withLabel("TEST").withSectorsPerCluster(4));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      FileStore store = Files.getFileStore(fs.getPath("/"));
      assertEquals("TEST", store.name());
      assertEquals("fat16", store.type());
      long free = store.getUnallocatedSpace();
      int cluster = 2048;
      assertTrue(store.getTotalSpace() > free - 1 && free > 15L << 20);
      Files.write(fs.getPath("/f"), new byte[cluster * 3 + 1]);
      assertEquals(free - 4L * cluster, store.getUnallocatedSpace());
      assertEquals(store.getUnallocatedSpace(), store.getUsableSpace());
      Files.delete(fs.getPath("/f"));
      assertEquals(free, store.getUnallocatedSpace());
    }
  }

  @Test
  void pathOperations() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Path p = fs.getPath("/a/b/../c/./d");
      assertEquals("/a/c/d", p.normalize().toString());
      assertEquals("../x", fs.getPath("/a/b").relativize(fs.getPath("/a/x")).toString());
      assertEquals("/a/b/c", fs.getPath("/a").resolve("b/c").toString());
      assertEquals("c", fs.getPath("/a/b/c").getFileName().toString());
      assertEquals("/a/b", fs.getPath("/a/b/c").getParent().toString());
      assertTrue(fs.getPath("/a/b").startsWith("/a"));
      assertTrue(fs.getPath("/a/b").endsWith("b"));
      assertEquals(2, fs.getPath("/a/b").getNameCount());
      assertEquals("/x", fs.getPath("x").toAbsolutePath().toString());
      assertTrue(fs.getPathMatcher("glob:/a/*.TXT").matches(fs.getPath("/a/b.txt")));
    }
  }

  @Test
  void concurrentWritersOnOneVolume() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 4; t++) {
        int id = t;
        threads.add(new Thread(() -> {
          try {
            Files.createDirectory(fs.getPath("/t" + id));
            for (int i = 0; i < 20; i++) {
              byte[] b = new byte[3000 + i * 7 + id];
              java.util.Arrays.fill(b, (byte) (id * 31 + i));
              Files.write(fs.getPath("/t" + id + "/file number " + i), b);
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(List.of(), errors);
      for (int id = 0; id < 4; id++) {
        for (int i = 0; i < 20; i++) {
          byte[] b = Files.readAllBytes(fs.getPath("/t" + id + "/file number " + i));
          assertEquals(3000 + i * 7 + id, b.length);
          assertEquals((byte) (id * 31 + i), b[b.length - 1]);
        }
      }
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }

  @Test
  void worksInJimfs() throws Exception {
    try (FileSystem jimfs = com.google.common.jimfs.Jimfs.newFileSystem(
        com.google.common.jimfs.Configuration.unix())) {
      Path in = Volumes.format(jimfs.getPath("/vol.img"), 2L << 20, FatType.FAT12);
      try (FileSystem fs = FileSystems.newFileSystem(in)) {
        Files.createDirectories(fs.getPath("/x/y"));
        Files.writeString(fs.getPath("/x/y/z.txt"), "in jimfs");
      }
      try (FileSystem fs = FileSystems.newFileSystem(in)) {
        assertEquals("in jimfs", Files.readString(fs.getPath("/X/Y/Z.TXT")));
        assertTrue(fs.getPath("/x").toUri().toString().startsWith("fat:jimfs://"));
      }
      Path copy = tmp.resolve("from-jimfs.img");
      Files.copy(in, copy);
      Tools.assume("fsck.fat", "mtype");
      Tools.assertFsckClean(copy);
      assertEquals("in jimfs", new String(Tools.mtype(copy, "/x/y/z.txt")));
    }
  }

  @Test
  void worksInsideAZip() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.writeString(fs.getPath("/zipped.txt"), "from a zip");
    }
    Path zip = tmp.resolve("v.zip");
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.copy(img, z.getPath("/v.img"));
    }
    try (FileSystem z = FileSystems.newFileSystem(zip);
        FileSystem fs = FileSystems.newFileSystem(z.getPath("/v.img"),
            Map.of("accessMode", "readOnly"))) {
      assertEquals("from a zip", Files.readString(fs.getPath("/zipped.txt")));
    }
    // zipfs cannot update an entry in place: by default the volume opens read-only.
    try (FileSystem z = FileSystems.newFileSystem(zip)) {
      try (FileSystem fs = FileSystems.newFileSystem(z.getPath("/v.img"))) {
        assertTrue(fs.isReadOnly());
        assertEquals("from a zip", Files.readString(fs.getPath("/zipped.txt")));
      }
      assertThrows(FatException.class, () -> FileSystems.newFileSystem(z.getPath("/v.img"),
          Map.of("accessMode", "readWrite")));
    }
  }

  @Test
  void anOpenFileFollowsItsMove() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.createDirectory(fs.getPath("/to"));
      try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/moving"),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap("before ".getBytes()));
        Files.move(fs.getPath("/moving"), fs.getPath("/to/A longer name after the move"));
        ch.write(ByteBuffer.wrap("after".getBytes()));
        assertThrows(FileSystemException.class, () -> Files.delete(fs.getPath(
            "/to/a longer name after the move")));
      }
      assertEquals("before after", Files.readString(fs.getPath(
          "/to/A longer name after the move")));
      assertFalse(Files.exists(fs.getPath("/moving")));
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }

  @Test
  void deleteOnCloseAndSync() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Path f = fs.getPath("/temp");
      try (SeekableByteChannel ch = Files.newByteChannel(f, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE,
          StandardOpenOption.SYNC)) {
        ch.write(ByteBuffer.wrap(new byte[4000]));
        assertTrue(Files.exists(f));
        assertThrows(FileSystemException.class, () -> Files.delete(f));
      }
      assertFalse(Files.exists(f));
      assertEquals(Files.getFileStore(fs.getPath("/")).getTotalSpace(),
          Files.getFileStore(fs.getPath("/")).getUnallocatedSpace());
    }
  }

  @Test
  void closeFlushesAndClosesChannels() throws Exception {
    FileSystem fs = FileSystems.newFileSystem(img);
    SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/open"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    ch.write(ByteBuffer.wrap(new byte[5000]));
    fs.close();
    assertFalse(ch.isOpen());
    assertThrows(java.nio.file.ClosedFileSystemException.class,
        () -> Files.readString(fs.getPath("/open")));
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
      assertTrue(f.length() >= 16L << 20);
    }
    try (FileSystem again = FileSystems.newFileSystem(img)) {
      assertEquals(5000, Files.size(again.getPath("/open")));
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }
}
