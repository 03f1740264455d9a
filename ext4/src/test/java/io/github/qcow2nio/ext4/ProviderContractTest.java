package io.github.qcow2nio.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.ext4.testing.Golden;
import io.github.qcow2nio.ext4.testing.ImageBytes;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's NIO contract over the golden ext4 image on the default file system. */
class ProviderContractTest {
  @TempDir
  Path dir;
  Path img;
  FileSystem fs;

  @BeforeEach
  void open() throws IOException {
    img = dir.resolve("golden.img");
    Files.write(img, Golden.image("ext4-1k"));
    fs = FileSystems.newFileSystem(img);
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  static FileSystemProvider ext4() {
    return FileSystemProvider.installedProviders().stream()
        .filter(p -> p.getScheme().equals("ext4")).findFirst().orElseThrow();
  }

  @Test
  void otherBytesAreNotOurs() throws IOException {
    Path junk = dir.resolve("junk");
    byte[] b = new byte[64 * 1024];
    new Random(1).nextBytes(b);
    Files.write(junk, b);
    assertThrows(UnsupportedOperationException.class, () -> ext4().newFileSystem(junk, Map.of()));
    assertThrows(ProviderNotFoundException.class, () -> FileSystems.newFileSystem(junk));
    // the magic alone is not enough: the geometry must make sense too
    ImageBytes magicOnly = new ImageBytes(new byte[8192]);
    magicOnly.put16(ImageBytes.SB + 0x38, 0xEF53);
    Path fake = Files.write(dir.resolve("fake"), magicOnly.bytes());
    assertThrows(UnsupportedOperationException.class, () -> ext4().newFileSystem(fake, Map.of()));
    Path tiny = Files.write(dir.resolve("tiny"), new byte[100]);
    assertThrows(UnsupportedOperationException.class, () -> ext4().newFileSystem(tiny, Map.of()));
    assertThrows(UnsupportedOperationException.class, () -> ext4().newFileSystem(dir, Map.of()));
  }

  @Test
  void readOnlyEverywhere() throws IOException {
    Path hello = fs.getPath("/hello.txt");
    assertTrue(fs.isReadOnly());
    assertThrows(ReadOnlyFileSystemException.class, () -> Files.writeString(hello, "x"));
    assertThrows(ReadOnlyFileSystemException.class,
        () -> Files.newByteChannel(fs.getPath("/new"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE));
    assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(hello));
    assertThrows(ReadOnlyFileSystemException.class,
        () -> Files.createDirectory(fs.getPath("/d")));
    assertThrows(ReadOnlyFileSystemException.class,
        () -> Files.setPosixFilePermissions(hello, PosixFilePermissions.fromString("rwx------")));
    assertThrows(ReadOnlyFileSystemException.class, () -> Files.getFileAttributeView(hello,
        UserDefinedFileAttributeView.class).write("a", ByteBuffer.allocate(1)));
    assertThrows(ReadOnlyFileSystemException.class,
        () -> Files.copy(hello, fs.getPath("/copy")));
    assertThrows(AccessDeniedException.class,
        () -> fs.provider().checkAccess(hello, AccessMode.WRITE));
    assertThrows(AccessDeniedException.class,
        () -> fs.provider().checkAccess(hello, AccessMode.EXECUTE));
    fs.provider().checkAccess(hello, AccessMode.READ);
    fs.provider().checkAccess(fs.getPath("/deep"), AccessMode.EXECUTE);
    assertThrows(NoSuchFileException.class,
        () -> fs.provider().checkAccess(fs.getPath("/nope")));
    try (FileChannel ch = FileChannel.open(hello)) {
      assertThrows(java.nio.channels.NonWritableChannelException.class,
          () -> ch.write(ByteBuffer.allocate(1)));
    }
  }

  @Test
  void urisNameTheDeviceAndThePath() throws IOException {
    Path hello = fs.getPath("/hello.txt");
    URI uri = hello.toUri();
    assertEquals("ext4:" + img.toUri() + "!/hello.txt", uri.toString());
    assertEquals(hello, Path.of(uri));
    assertSame(fs, FileSystems.getFileSystem(URI.create("ext4:" + img.toUri())));
    assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(img));
    fs.close();
    try (FileSystem again = FileSystems.newFileSystem(URI.create("ext4:" + img.toUri()),
        Map.of("accessMode", "readOnly"))) {
      assertEquals("hello, golden ext4\n", Files.readString(Path.of(uri)));
      assertSame(again, Path.of(uri).getFileSystem());
    }
    assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(URI.create("ext4:" + img.toUri()), Map.of("x", 1)));
    assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(img, Map.of("accessMode", "readWrite")));
  }

  @Test
  void pathsBehaveAsUnixPaths() {
    Path a = fs.getPath("/deep/d0/d1");
    Path b = fs.getPath("/deep/x/y");
    assertEquals(fs.getPath("../../x/y"), a.relativize(b));
    assertEquals(b, a.resolve(a.relativize(b)).normalize());
    assertEquals(fs.getPath("/deep"), fs.getPath("/deep/./d0/..").normalize());
    assertEquals(fs.getPath("/"), fs.getPath("/..").normalize());
    assertEquals(fs.getPath("d1"), a.getFileName());
    assertEquals(fs.getPath("/deep/d0"), a.getParent());
    assertEquals(fs.getPath("d0/d1"), a.subpath(1, 3));
    assertTrue(a.startsWith(fs.getPath("/deep")));
    assertTrue(a.endsWith(fs.getPath("d0/d1")));
    assertFalse(a.startsWith(fs.getPath("deep")));
    assertEquals(fs.getPath("/deep/d0/d1"), fs.getPath("/deep", "d0", "d1"));
    assertEquals("/", fs.getPath("/").toString());
    assertEquals(fs.getPath("/x"), fs.getPath("x").toAbsolutePath());
    assertTrue(fs.getPath("/a").compareTo(fs.getPath("/b")) < 0);
    assertTrue(fs.getPathMatcher("glob:/deep/**").matches(a));
    assertFalse(fs.getPathMatcher("glob:/deep/*").matches(a));
  }

  @Test
  void listingWalkingAndGlobs() throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(fs.getPath("/many"),
        "entry-number-000?-*")) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    assertEquals(10, names.size(), names.toString());
    long walked;
    try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
      walked = s.count();
    }
    assertEquals(Golden.manifest("ext4-1k").size() + 1, walked);
    assertThrows(NotDirectoryException.class,
        () -> Files.newDirectoryStream(fs.getPath("/hello.txt")));
    assertThrows(NoSuchFileException.class, () -> Files.list(fs.getPath("/nope")));
    assertTrue(Files.isDirectory(fs.getPath("/links/../deep/d0")));
    assertTrue(fs.provider().isHidden(fs.getPath("/.x")));
  }

  @Test
  void channelsSeekAndReadPositionally() throws Exception {
    Path mid = fs.getPath("/mid.bin");
    try (SeekableByteChannel ch = Files.newByteChannel(mid)) {
      assertEquals(300 * 1024, ch.size());
      ByteBuffer b = ByteBuffer.allocate(12);
      ch.position(299 * 1024).read(b);
      assertEquals("block 000299", new String(b.array(), StandardCharsets.US_ASCII));
      assertEquals(299 * 1024 + 12, ch.position());
      ch.position(ch.size());
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
    }
    byte[] all = Files.readAllBytes(mid);
    try (FileChannel ch = FileChannel.open(mid)) {
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 4; t++) {
        int seed = t;
        Thread th = new Thread(() -> {
          Random r = new Random(seed);
          try {
            for (int i = 0; i < 200; i++) {
              int at = r.nextInt(all.length);
              ByteBuffer b = ByteBuffer.allocate(Math.min(3000, all.length - at));
              ch.read(b, at);
              assertArrayEquals(java.util.Arrays.copyOfRange(all, at, at + b.capacity()),
                  b.array());
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertEquals(List.of(), failures);
    }
    assertThrows(FileSystemException.class, () -> Files.newByteChannel(fs.getPath("/deep")));
    assertThrows(FileSystemException.class, () -> Files.newByteChannel(fs.getPath("/links/fast"),
        LinkOption.NOFOLLOW_LINKS));
    assertEquals("hello, golden ext4\n", Files.readString(fs.getPath("/links/fast")));
  }

  @Test
  void attributesAndStore() throws IOException {
    Path link = fs.getPath("/links/fast");
    assertTrue(Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .isSymbolicLink());
    assertTrue(Files.readAttributes(link, BasicFileAttributes.class).isRegularFile());
    assertEquals(Files.readAttributes(fs.getPath("/hello.txt"), BasicFileAttributes.class)
        .fileKey(), Files.readAttributes(link, BasicFileAttributes.class).fileKey());
    Map<String, Object> posix = Files.readAttributes(fs.getPath("/owned"), "posix:*");
    assertEquals("1000", posix.get("owner").toString());
    assertEquals("2000", posix.get("group").toString());
    assertEquals(Map.of("size", 19L, "isDirectory", false),
        Files.readAttributes(fs.getPath("/hello.txt"), "size,isDirectory"));
    assertThrows(UnsupportedOperationException.class,
        () -> Files.readAttributes(fs.getPath("/hello.txt"), "dos:*"));
    assertThrows(IllegalArgumentException.class,
        () -> Files.readAttributes(fs.getPath("/hello.txt"), "unix:nonsense"));
    assertEquals("1000", Files.getFileAttributeView(fs.getPath("/owned"),
        PosixFileAttributeView.class).getOwner().getName());
    Ext4FileAttributes u = Files.getFileAttributeView(fs.getPath("/hello.txt"),
        Ext4FileAttributeView.class).readAttributes();
    assertEquals(2, u.nlink());
    ImageBytes raw = new ImageBytes(Golden.image("ext4-1k"));
    FileStore store = Files.getFileStore(fs.getPath("/"));
    assertEquals("ext4", store.type());
    assertEquals(raw.u32(ImageBytes.SB + 4) * raw.blockSize(), store.getTotalSpace());
    assertEquals(raw.u32(ImageBytes.SB + 0xC) * raw.blockSize(), store.getUnallocatedSpace());
    assertTrue(store.getUsableSpace() <= store.getUnallocatedSpace());
    assertEquals(false, store.getAttribute("needsRecovery"));
    assertTrue(store.supportsFileAttributeView("posix"));
  }

  /** A file system inside a zip entry, whose channel cannot seek, and inside a qcow2 disk. */
  @Test
  void readsFromOtherProviders() throws Exception {
    Path zip = dir.resolve("images.zip");
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.write(z.getPath("/golden.img"), Golden.image("ext4-1k"));
    }
    try (FileSystem z = FileSystems.newFileSystem(zip);
        FileSystem e = FileSystems.newFileSystem(z.getPath("/golden.img"))) {
      assertEquals("hello, golden ext4\n", Files.readString(e.getPath("/hello.txt")));
      assertTrue(e.getPath("/hello.txt").toUri().toString().startsWith("ext4:jar:"));
    }
    Path q = dir.resolve("disk.qcow2");
    byte[] raw = Golden.image("ext4-1k");
    FileSystemProvider qcow2 = FileSystemProvider.installedProviders().stream()
        .filter(p -> p.getScheme().equals("qcow2")).findFirst().orElseThrow();
    // named explicitly: zipfs, too, accepts create=true for any path
    try (FileSystem image = qcow2.newFileSystem(q, Map.of("create", "true", "size",
        Integer.toString(raw.length)))) {
      Files.write(image.getPath("/disk"), raw, StandardOpenOption.WRITE);
    }
    try (FileSystem image = FileSystems.newFileSystem(q);
        FileSystem e = FileSystems.newFileSystem(image.getPath("/disk"))) {
      assertEquals("ext4", e.provider().getScheme());
      assertEquals(Files.readString(fs.getPath("/mid.bin")),
          Files.readString(e.getPath("/mid.bin")));
      URI uri = e.getPath("/deep/d0").toUri();
      assertEquals("ext4:" + image.getPath("/disk").toUri() + "!/deep/d0", uri.toString());
      assertEquals(e.getPath("/deep/d0"), Path.of(uri));
    }
  }
}
