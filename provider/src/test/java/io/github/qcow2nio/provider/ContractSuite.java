package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.qcow2nio.provider.testing.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The provider's contract, in the manner of zipfs's Basic test and jimfs's provider tests: every
 * test here runs once with images on the default file system and once with images in jimfs.
 */
abstract class ContractSuite {
  static final Map<String, ?> RO = Map.of("accessMode", "readOnly");
  static final int CLUSTER_BITS = 12;

  /** A fresh, empty directory on the host file system under test. */
  abstract Path dir() throws IOException;

  /** A 1 MiB + 3.5 KiB disk: random data in clusters at odd places, unallocated elsewhere. */
  TestImage sample() {
    Random r = new Random(42);
    TestImage t = TestImage.of(1024 * 1024 + 3584, CLUSTER_BITS);
    for (long off : new long[] {0, 5000, 65536 + 100, 300_000, 1024 * 1024 + 1000}) {
      byte[] b = new byte[7000 + r.nextInt(5000)];
      r.nextBytes(b);
      t.write(Math.min(off, t.size() - b.length), b);
    }
    return t;
  }

  Path store(Path dir, String name, TestImage t) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, t.toBytes());
    return p;
  }

  static URI uri(Path image) {
    return URI.create("qcow2:" + image.toUri());
  }

  static FileSystem open(Path image, Map<String, ?> env) throws IOException {
    return FileSystems.newFileSystem(uri(image), env);
  }

  static byte[] readAll(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return in.readAllBytes();
    }
  }

  // ---- registration and file systems

  @Test
  void providerIsInstalledUnderItsScheme() {
    FileSystemProvider found = null;
    for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
      if (p.getScheme().equals("qcow2")) {
        found = p;
      }
    }
    assertTrue(found instanceof Qcow2FileSystemProvider, String.valueOf(found));
  }

  @Test
  void newGetAndCloseFileSystem() throws IOException {
    Path img = store(dir(), "a.qcow2", sample());
    FileSystem fs = open(img, Map.of());
    try {
      assertTrue(fs.isOpen());
      assertSame(fs, FileSystems.getFileSystem(uri(img)));
      assertThrows(FileSystemAlreadyExistsException.class, () -> open(img, RO));
      assertThrows(FileSystemAlreadyExistsException.class,
          () -> FileSystems.newFileSystem(img, Map.of()));
      // Not even through a provider instance of its own: two writers would corrupt the image.
      assertThrows(FileSystemAlreadyExistsException.class,
          () -> new Qcow2FileSystemProvider().newFileSystem(img, RO));
      // The same file by another name is the same image.
      Path other = img.getParent().resolve(".").resolve("a.qcow2");
      assertThrows(FileSystemAlreadyExistsException.class, () -> open(other, RO));
      assertEquals("qcow2", fs.provider().getScheme());
      assertEquals("/", fs.getSeparator());
    } finally {
      fs.close();
    }
    assertFalse(fs.isOpen());
    fs.close(); // idempotent
    assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(uri(img)));
    try (FileSystem again = open(img, RO)) {
      assertTrue(again.isOpen());
      assertNotEquals(fs, again);
    }
  }

  @Test
  void newFileSystemFromPath() throws IOException {
    TestImage t = sample();
    Path img = store(dir(), "p.qcow2", t);
    try (FileSystem fs = FileSystems.newFileSystem(img, RO)) {
      assertTrue(fs instanceof Qcow2FileSystem);
      assertArrayEquals(t.contents(), readAll(fs.getPath("/disk")));
      assertSame(fs, FileSystems.getFileSystem(uri(img)));
    }
  }

  @Test
  void nonQcow2FileIsLeftToOtherProviders() throws IOException {
    Path text = dir().resolve("plain.txt");
    Files.writeString(text, "not an image");
    Qcow2FileSystemProvider provider = new Qcow2FileSystemProvider();
    assertThrows(UnsupportedOperationException.class, () -> provider.newFileSystem(text, RO));
    assertThrows(UnsupportedOperationException.class,
        () -> provider.newFileSystem(dir().resolve("missing.qcow2"), Map.of()));
    assertThrows(UnsupportedOperationException.class, () -> provider.newFileSystem(dir(), RO));
    // The JDK then goes on to the next provider; none takes a text file.
    assertThrows(java.nio.file.ProviderNotFoundException.class,
        () -> FileSystems.newFileSystem(text, Map.of()));
  }

  @Test
  void zipFileStillOpensAsZip() throws IOException {
    Path zip = dir().resolve("x.zip");
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.writeString(z.getPath("/hello"), "hi");
    }
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of())) {
      assertEquals("hi", Files.readString(z.getPath("/hello")));
    }
  }

  @Test
  void missingImage() throws IOException {
    Path img = dir().resolve("none.qcow2");
    assertThrows(NoSuchFileException.class, () -> open(img, Map.of()));
    assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(uri(img)));
    assertThrows(FileSystemNotFoundException.class,
        () -> Path.of(URI.create(uri(img) + "!/disk")));
  }

  @Test
  @SuppressWarnings("try")
  void closeClosesEverythingItOpened() throws IOException {
    Path img = store(dir(), "c.qcow2", sample());
    FileSystem fs = open(img, RO);
    Path disk = fs.getPath("/disk");
    Qcow2FileSystem q = (Qcow2FileSystem) fs;
    try (SeekableByteChannel a = Files.newByteChannel(disk);
        InputStream b = Files.newInputStream(disk);
        Stream<Path> c = Files.list(fs.getPath("/"))) {
      assertEquals(3, q.openCount());
    }
    assertEquals(0, q.openCount()); // what closes on its own is forgotten
    SeekableByteChannel ch = Files.newByteChannel(disk);
    InputStream in = Files.newInputStream(disk);
    DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath("/"));
    fs.close();
    assertFalse(ch.isOpen());
    assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
    assertThrows(IOException.class, in::read);
    assertThrows(java.nio.file.ClosedDirectoryStreamException.class, ds::iterator);
    assertThrows(ClosedFileSystemException.class, () -> Files.size(disk));
    assertThrows(ClosedFileSystemException.class, () -> Files.newByteChannel(disk));
    assertThrows(ClosedFileSystemException.class, () -> Files.exists(disk));
    assertThrows(ClosedFileSystemException.class, () -> Files.list(fs.getPath("/")));
    assertThrows(ClosedFileSystemException.class, fs::getRootDirectories);
    // Paths stay usable as values.
    assertEquals("/disk", disk.toString());
    // The image file is no longer held: it can be opened again and deleted.
    try (FileSystem again = open(img, RO)) {
      assertTrue(Files.exists(again.getPath("/disk")));
    }
    Files.delete(img);
  }

  @Test
  void foreignPathsAreRefused() throws IOException {
    Path img = store(dir(), "f.qcow2", sample());
    try (FileSystem fs = open(img, RO)) {
      Path foreign = dir().resolve("x");
      Path disk = fs.getPath("/disk");
      assertThrows(ProviderMismatchException.class, () -> disk.resolve(foreign));
      assertThrows(ProviderMismatchException.class, () -> disk.relativize(foreign));
      assertThrows(ProviderMismatchException.class,
          () -> fs.provider().newByteChannel(foreign, java.util.Set.of()));
      assertThrows(ProviderMismatchException.class,
          () -> fs.provider().checkAccess(foreign));
      assertFalse(disk.startsWith(foreign));
      assertFalse(Files.isSameFile(disk, foreign));
    }
  }

  // ---- the tree

  @Test
  void treeAndAttributes() throws IOException {
    TestImage t = sample();
    Path img = store(dir(), "t.qcow2", t);
    try (FileSystem fs = open(img, RO)) {
      Path root = fs.getPath("/");
      Path disk = fs.getPath("/disk");
      Path snaps = fs.getPath("/snapshots");
      try (Stream<Path> s = Files.list(root)) {
        assertEquals(List.of(disk, snaps), s.toList());
      }
      try (Stream<Path> s = Files.list(snaps)) {
        assertEquals(List.of(), s.toList());
      }
      try (Stream<Path> s = Files.list(fs.getPath("snapshots/.."))) {
        assertEquals(List.of(fs.getPath("snapshots/../disk"), fs.getPath("snapshots/../snapshots")),
            s.toList());
      }
      assertThrows(NotDirectoryException.class, () -> Files.list(disk));
      try (Stream<Path> s = Files.walk(root)) {
        assertEquals(List.of(root, disk, snaps), s.toList());
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "d*")) {
        List<Path> found = new ArrayList<>();
        ds.forEach(found::add);
        assertEquals(List.of(disk), found);
        assertThrows(IllegalStateException.class, ds::iterator);
      }
      assertTrue(Files.exists(disk));
      assertTrue(Files.isRegularFile(disk));
      assertFalse(Files.isDirectory(disk));
      assertTrue(Files.isDirectory(root));
      assertTrue(Files.isDirectory(snaps));
      assertFalse(Files.exists(fs.getPath("/nothing")));
      assertFalse(Files.exists(fs.getPath("/snapshots/none")));
      assertFalse(Files.exists(fs.getPath("/disk/x")));
      assertEquals(t.size(), Files.size(disk));
      assertEquals(t.size(), Files.size(fs.getPath("disk")));
      assertThrows(NoSuchFileException.class, () -> Files.size(fs.getPath("/nothing")));
      assertFalse(Files.isHidden(disk));

      BasicFileAttributes a = Files.readAttributes(disk, BasicFileAttributes.class);
      assertEquals(t.size(), a.size());
      assertTrue(a.isRegularFile());
      assertFalse(a.isDirectory() || a.isSymbolicLink() || a.isOther());
      assertEquals(Files.getLastModifiedTime(img), a.lastModifiedTime());
      assertEquals(Files.getLastModifiedTime(img), Files.getLastModifiedTime(disk));
      assertEquals("basic",
          Files.getFileAttributeView(disk, BasicFileAttributeView.class).name());
      Map<String, Object> basic = Files.readAttributes(disk, "size,isDirectory");
      assertEquals(Map.of("size", t.size(), "isDirectory", false), basic);
      assertThrows(IllegalArgumentException.class, () -> Files.readAttributes(disk, "nosuch"));
      assertThrows(UnsupportedOperationException.class,
          () -> Files.readAttributes(disk, "posix:*"));

      Map<String, Object> q = Files.readAttributes(disk, "qcow2:*");
      for (String k : List.of("virtualSize", "clusterSize", "version", "compressionType",
          "backingFile", "backingFormat", "dataFile", "extendedL2", "lazyRefcounts",
          "refcountBits", "dirty", "corrupt", "snapshots")) {
        assertTrue(q.containsKey(k), k);
      }
      assertEquals(t.size(), q.get("virtualSize"));
      assertEquals(1 << CLUSTER_BITS, q.get("clusterSize"));
      assertEquals(3, q.get("version"));
      assertEquals("zlib", q.get("compressionType"));
      assertNull(q.get("backingFile"));
      assertNull(q.get("dataFile"));
      assertEquals(16, q.get("refcountBits"));
      assertEquals(false, q.get("dirty"));
      assertEquals(false, q.get("corrupt"));
      assertEquals(false, q.get("extendedL2"));
      assertEquals(List.of(), q.get("snapshots"));
      Qcow2FileAttributes qa = Files.readAttributes(disk, Qcow2FileAttributes.class);
      assertEquals(t.size(), qa.virtualSize());
      assertEquals(t.size(), qa.size());
      Qcow2FileAttributes rootAttrs =
          Files.getFileAttributeView(root, Qcow2FileAttributeView.class).readAttributes();
      assertTrue(rootAttrs.isDirectory());
      assertEquals(0, rootAttrs.size());
      assertEquals(t.size(), rootAttrs.virtualSize());
      assertEquals(java.util.Set.of("basic", "qcow2"), fs.supportedFileAttributeViews());
      assertEquals("qcow2", Files.getFileStore(disk).type());
      assertTrue(Files.getFileStore(disk).isReadOnly());
      assertTrue(Files.getFileStore(disk).supportsFileAttributeView(Qcow2FileAttributeView.class));
    }
  }

  @Test
  void accessIsHonest() throws IOException {
    Path img = store(dir(), "ac.qcow2", sample());
    try (FileSystem fs = open(img, RO)) {
      Path disk = fs.getPath("/disk");
      assertTrue(fs.isReadOnly());
      assertTrue(Files.isReadable(disk));
      assertFalse(Files.isWritable(disk));
      assertFalse(Files.isExecutable(disk));
      assertThrows(AccessDeniedException.class,
          () -> fs.provider().checkAccess(disk, AccessMode.WRITE));
      assertThrows(ReadOnlyFileSystemException.class, () -> Files.newOutputStream(disk));
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.newByteChannel(disk, StandardOpenOption.WRITE));
      assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(disk));
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.createDirectory(fs.getPath("/d")));
      assertThrows(ReadOnlyFileSystemException.class, () -> Files.setLastModifiedTime(disk,
          java.nio.file.attribute.FileTime.fromMillis(5000)));
    }
    try (FileSystem fs = open(img, Map.of("accessMode", "readWrite"))) {
      Path disk = fs.getPath("/disk");
      assertFalse(fs.isReadOnly());
      Qcow2FileSystem q = (Qcow2FileSystem) fs;
      assertEquals(q.image().disk().isWritable(), Files.isWritable(disk));
      assertFalse(Files.isWritable(fs.getPath("/")));
      assertFalse(Files.isWritable(fs.getPath("/snapshots")));
      // The tree is fixed; deleting /disk empties it instead (SparseCopyTest), as
      // Files.copy(file, /disk, REPLACE_EXISTING) needs.
      assertThrows(AccessDeniedException.class, () -> Files.delete(fs.getPath("/snapshots")));
      assertThrows(FileAlreadyExistsException.class,
          () -> Files.createDirectory(fs.getPath("/snapshots")));
      assertThrows(AccessDeniedException.class, () -> Files.createDirectory(fs.getPath("/d")));
      assertThrows(AccessDeniedException.class, () -> Files.createFile(fs.getPath("/new")));
      assertThrows(FileAlreadyExistsException.class, () -> Files.createFile(disk));
      assertThrows(NoSuchFileException.class, () -> Files.newByteChannel(fs.getPath("/new")));
      assertThrows(java.nio.file.FileSystemException.class,
          () -> Files.newByteChannel(fs.getPath("/")));
      // Times are the image file's.
      java.nio.file.attribute.FileTime t = java.nio.file.attribute.FileTime.fromMillis(7_000_000);
      Files.setLastModifiedTime(disk, t);
      assertEquals(t, Files.getLastModifiedTime(img));
      assertEquals(t, Files.getLastModifiedTime(fs.getPath("/snapshots")));
      assertThrows(IllegalArgumentException.class, () -> Files.setAttribute(disk, "size", 1L));
      assertThrows(IllegalArgumentException.class,
          () -> Files.setAttribute(disk, "qcow2:clusterSize", 512));
      assertThrows(UnsupportedOperationException.class,
          () -> Files.setAttribute(disk, "dos:hidden", true));
      assertThrows(UnsupportedOperationException.class,
          () -> Files.newByteChannel(disk, StandardOpenOption.DELETE_ON_CLOSE));
    }
  }

  // ---- paths

  @Test
  void pathsBehaveAsNioPaths() throws IOException {
    Path img = store(dir(), "pa.qcow2", sample());
    try (FileSystem fs = open(img, RO)) {
      Path disk = fs.getPath("/disk");
      assertEquals(disk, fs.getPath("/", "disk"));
      assertEquals(disk, fs.getPath("//disk/"));
      assertEquals(disk.hashCode(), fs.getPath("//disk/").hashCode());
      assertEquals(fs.getPath("/"), disk.getRoot());
      assertEquals(fs.getPath("/"), disk.getParent());
      assertEquals(fs.getPath("disk"), disk.getFileName());
      assertNull(fs.getPath("/").getFileName());
      assertNull(fs.getPath("/").getParent());
      assertNull(fs.getPath("a").getParent());
      assertNull(fs.getPath("a").getRoot());
      Path s = fs.getPath("/snapshots/x/y");
      assertEquals(3, s.getNameCount());
      assertEquals(fs.getPath("x"), s.getName(1));
      assertEquals(fs.getPath("x/y"), s.subpath(1, 3));
      assertThrows(IllegalArgumentException.class, () -> s.subpath(2, 2));
      assertTrue(s.startsWith(fs.getPath("/snapshots")));
      assertTrue(s.startsWith("/snapshots/x"));
      assertFalse(s.startsWith("/snap"));
      assertFalse(s.startsWith("snapshots"));
      assertTrue(s.endsWith("x/y"));
      assertTrue(s.endsWith("/snapshots/x/y"));
      assertFalse(s.endsWith("/x/y"));
      assertEquals(fs.getPath("/disk"), fs.getPath("/snapshots/../disk").normalize());
      assertEquals(fs.getPath("/disk"), fs.getPath("/../../disk").normalize());
      assertEquals(fs.getPath("../a"), fs.getPath("./../a/b/..").normalize());
      assertEquals(fs.getPath(""), fs.getPath("a/..").normalize());
      assertEquals(fs.getPath("/snapshots/a"), fs.getPath("/snapshots").resolve("a"));
      assertEquals(disk, fs.getPath("/snapshots").resolve("/disk"));
      assertEquals(fs.getPath("/snapshots"), fs.getPath("/snapshots").resolve(""));
      assertEquals(fs.getPath("/b"), fs.getPath("/a").resolveSibling("b"));
      Path a = fs.getPath("/snapshots/a");
      Path b = fs.getPath("/disk");
      Path rel = a.relativize(b);
      assertEquals(fs.getPath("../../disk"), rel);
      assertEquals(b, a.resolve(rel).normalize());
      assertEquals(fs.getPath(""), a.relativize(a));
      assertEquals(fs.getPath("c/d"), fs.getPath("a/b").relativize(fs.getPath("a/b/c/d")));
      assertThrows(IllegalArgumentException.class, () -> a.relativize(fs.getPath("x")));
      assertTrue(fs.getPath("/a").compareTo(fs.getPath("/b")) < 0);
      assertEquals(0, disk.compareTo(fs.getPath("/disk")));
      assertEquals(fs.getPath("/snapshots/a"), fs.getPath("snapshots/a").toAbsolutePath());
      assertEquals(disk, fs.getPath("snapshots/../disk").toRealPath());
      assertThrows(NoSuchFileException.class, () -> fs.getPath("/nothing").toRealPath());
      List<String> names = new ArrayList<>();
      s.forEach(n -> names.add(n.toString()));
      assertEquals(List.of("snapshots", "x", "y"), names);
      assertTrue(fs.getPathMatcher("glob:/snap*/*").matches(s.getParent()));
      assertFalse(fs.getPathMatcher("glob:/snap*/*").matches(s));
      assertTrue(fs.getPathMatcher("glob:/**").matches(s));
      assertTrue(fs.getPathMatcher("glob:/{disk,x}").matches(disk));
      assertTrue(fs.getPathMatcher("regex:/d.sk").matches(disk));

      // toUri round-trips through Path.of and names the image.
      URI u = disk.toUri();
      assertEquals("qcow2", u.getScheme());
      assertEquals(uri(img) + "!/disk", u.toString());
      assertEquals(disk, Path.of(u));
      Path odd = fs.getPath("/snapshots/a b%#");
      assertEquals(odd, Path.of(odd.toUri()));
      assertEquals(fs, Path.of(URI.create(uri(img) + "!/")).getFileSystem());
      assertTrue(Files.isSameFile(disk, fs.getPath("/snapshots/../disk")));
    }
  }

  // ---- channels

  @Test
  @SuppressWarnings("try")
  void channelsReadWholeBuffers() throws IOException {
    TestImage t = sample();
    byte[] model = t.contents();
    Path img = store(dir(), "r.qcow2", t);
    try (FileSystem fs = open(img, RO);
        FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
      assertEquals(t.size(), ch.size());
      Random r = new Random(7);
      for (int i = 0; i < 300; i++) {
        int len = 1 + r.nextInt(3 * t.clusterSize());
        long pos = r.nextInt((int) t.size());
        ByteBuffer buf = ByteBuffer.allocate(len);
        int n = ch.read(buf, pos);
        int expect = (int) Math.min(len, t.size() - pos);
        assertEquals(expect, n, "read of " + len + " at " + pos);
        assertArrayEquals(java.util.Arrays.copyOfRange(model, (int) pos, (int) pos + expect),
            java.util.Arrays.copyOf(buf.array(), expect));
      }
      assertEquals(0, ch.position()); // positional reads leave the position alone
      ByteBuffer all = ByteBuffer.allocate(model.length + 10);
      assertEquals(model.length, ch.read(all));
      assertEquals(model.length, ch.position());
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
      assertEquals(0, ch.read(ByteBuffer.allocate(0)));
      assertEquals(-1, ch.read(ByteBuffer.allocate(4), t.size()));
      assertEquals(-1, ch.read(ByteBuffer.allocate(4), t.size() + 100));
      ch.position(t.size() - 3);
      ByteBuffer tail = ByteBuffer.allocate(10);
      assertEquals(3, ch.read(tail));
      ch.position(100);
      ByteBuffer[] bufs = {ByteBuffer.allocate(4000), ByteBuffer.allocate(0),
          ByteBuffer.allocate(9000)};
      assertEquals(13000, ch.read(bufs));
      assertArrayEquals(java.util.Arrays.copyOfRange(model, 4100, 13100), bufs[2].array());
      assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
      assertThrows(NonWritableChannelException.class,
          () -> ch.write(ByteBuffer.allocate(1), 0));
      assertThrows(NonWritableChannelException.class, () -> ch.truncate(0));
      assertThrows(UnsupportedOperationException.class,
          () -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 10));
      assertThrows(UnsupportedOperationException.class, ch::lock);
      assertThrows(UnsupportedOperationException.class, ch::tryLock);
      assertThrows(IllegalArgumentException.class, () -> ch.read(ByteBuffer.allocate(1), -1));
      assertThrows(IllegalArgumentException.class, () -> ch.position(-1));
      ch.force(true); // nothing to flush on a read-only file system, and no failure either

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long moved = ch.transferTo(10, model.length, Channels.newChannel(out));
      assertEquals(model.length - 10, moved);
      assertArrayEquals(java.util.Arrays.copyOfRange(model, 10, model.length), out.toByteArray());
      assertEquals(0, ch.transferTo(t.size(), 10, Channels.newChannel(out)));
      assertArrayEquals(model, readAll(fs.getPath("/disk")));
      ch.close();
      assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1), 0));
      assertThrows(ClosedChannelException.class, ch::size);
      assertThrows(ClosedChannelException.class, ch::position);
    }
  }

  @Test
  void interruptClosesOnlyTheInterruptedChannel() throws Exception {
    TestImage t = sample();
    Path img = store(dir(), "i.qcow2", t);
    try (FileSystem fs = open(img, RO)) {
      Path disk = fs.getPath("/disk");
      FileChannel mine = FileChannel.open(disk);
      FileChannel other = FileChannel.open(disk);
      Thread.currentThread().interrupt();
      try {
        assertThrows(ClosedByInterruptException.class,
            () -> mine.read(ByteBuffer.allocate(100_000), 0));
      } finally {
        assertTrue(Thread.interrupted());
      }
      assertFalse(mine.isOpen());
      assertTrue(other.isOpen());
      assertTrue(fs.isOpen());
      ByteBuffer buf = ByteBuffer.allocate((int) t.size());
      assertEquals(t.size(), other.read(buf, 0));
      assertArrayEquals(t.contents(), buf.array());
      assertArrayEquals(t.contents(), readAll(disk));

      // An interrupt that lands in the middle of reads on another thread.
      byte[] model = t.contents();
      java.util.concurrent.atomic.AtomicReference<Throwable> ended =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try (FileChannel ch = FileChannel.open(disk)) {
          while (true) {
            ch.read(ByteBuffer.allocate(50_000), 1000);
            reading.countDown();
          }
        } catch (Throwable e) {
          ended.set(e);
        }
      });
      reader.start();
      reading.await();
      reader.interrupt();
      reader.join(10_000);
      assertFalse(reader.isAlive());
      assertTrue(ended.get() instanceof ClosedByInterruptException, String.valueOf(ended.get()));
      assertArrayEquals(model, readAll(disk));
      other.close();
    }
  }

  // ---- env and read-only

  @Test
  void envIsChecked() throws IOException {
    Path img = store(dir(), "e.qcow2", sample());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> open(img, Map.of("acessMode", "readOnly")));
    assertTrue(e.getMessage().contains("accessMode") && e.getMessage().contains("clusterSize"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> open(img, Map.of("accessMode", "ro")));
    assertTrue(e.getMessage().contains("readOnly, readWrite"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> open(img, Map.of("create", "yes")));
    assertTrue(e.getMessage().contains("true, false"), e.getMessage());
    try (FileSystem fs = open(img, Map.of("accessMode", "readOnly", "create", false))) {
      assertTrue(fs.isReadOnly());
    }
    try (FileSystem fs = open(img, Map.of("create", Boolean.FALSE))) {
      assertEquals(!Files.isWritable(img), fs.isReadOnly());
    }
    assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(uri(img)));
  }

  @Test
  void readOnlyWritesNothing() throws Exception {
    Path d = dir();
    TestImage base = sample();
    Path basePath = store(d, "base.qcow2", base);
    TestImage top = TestImage.of(base.size(), CLUSTER_BITS).backing("base.qcow2", "qcow2")
        .write(70_000, new byte[] {1, 2, 3});
    Path topPath = store(d, "top.qcow2", top);
    java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000);
    Files.setLastModifiedTime(basePath, old);
    Files.setLastModifiedTime(topPath, old);
    String before = digest(basePath) + digest(topPath);
    try (FileSystem fs = open(topPath, RO)) {
      assertArrayEquals(top.contents(base.contents()), readAll(fs.getPath("/disk")));
      try (FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
        ch.force(true);
      }
      Files.readAttributes(fs.getPath("/disk"), "qcow2:*");
    }
    assertEquals(before, digest(basePath) + digest(topPath));
    assertEquals(old, Files.getLastModifiedTime(basePath));
    assertEquals(old, Files.getLastModifiedTime(topPath));
  }

  static String digest(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(p)));
  }

  // ---- backing chains on the image's own provider

  @Test
  void backingFileResolvesBesideTheImage() throws IOException {
    Path d = dir();
    TestImage base = sample();
    Files.createDirectories(d.resolve("sub"));
    store(d.resolve("sub"), "base.qcow2", base);
    byte[] patch = new byte[5000];
    new Random(3).nextBytes(patch);
    TestImage top = TestImage.of(base.size(), CLUSTER_BITS).backing("sub/base.qcow2", null)
        .write(4000, patch);
    Path topPath = store(d, "top.qcow2", top);
    try (FileSystem fs = open(topPath, RO)) {
      assertArrayEquals(top.contents(base.contents()), readAll(fs.getPath("/disk")));
      Map<String, Object> q = Files.readAttributes(fs.getPath("/disk"), "qcow2:*");
      assertEquals("sub/base.qcow2", q.get("backingFile"));
    }
  }

  @Test
  void imageAndBackingInsideAZipFile() throws IOException {
    Path d = dir();
    TestImage base = sample();
    TestImage top = TestImage.of(base.size(), CLUSTER_BITS).backing("base.qcow2", "qcow2")
        .write(0, new byte[] {9, 9, 9});
    Path zip = d.resolve("images.zip");
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.createDirectories(z.getPath("/vm"));
      Files.write(z.getPath("/vm/base.qcow2"), base.toBytes());
      Files.write(z.getPath("/vm/top.qcow2"), top.toBytes());
    }
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of());
        FileSystem fs = FileSystems.newFileSystem(z.getPath("/vm/top.qcow2"), RO)) {
      assertArrayEquals(top.contents(base.contents()), readAll(fs.getPath("/disk")));
      Path disk = fs.getPath("/disk");
      assertEquals(disk, Path.of(disk.toUri()));
    }
  }

  @Test
  @SuppressWarnings("try")
  void diskInADisk() throws IOException {
    TestImage inner = sample();
    byte[] innerBytes = inner.toBytes();
    TestImage outer = TestImage.of((innerBytes.length + 511) / 512 * 512, 16)
        .write(0, innerBytes);
    Path img = store(dir(), "outer.qcow2", outer);
    try (FileSystem fs = open(img, RO);
        FileSystem nested = FileSystems.newFileSystem(fs.getPath("/disk"), RO)) {
      assertTrue(nested instanceof Qcow2FileSystem);
      Path disk = nested.getPath("/disk");
      assertArrayEquals(inner.contents(), readAll(disk));
      assertSame(nested, FileSystems.getFileSystem(uri(fs.getPath("/disk"))));
      assertEquals(disk, Path.of(disk.toUri()));
      assertThrows(FileSystemAlreadyExistsException.class,
          () -> FileSystems.newFileSystem(fs.getPath("/disk"), RO));
      fs.close();
      assertThrows(IOException.class, () -> readAll(disk));
    }
  }

  @Test
  void writableDiskInADisk() throws Exception {
    Path img = dir().resolve("outer-rw.qcow2");
    Path innerImage;
    byte[] model = new byte[2 << 20];
    try (FileSystem fs = open(img, Map.of("create", "true", "size", "3M",
        "clusterSize", "4k"))) {
      assumeWritable(fs);
      // The inner image lives in the outer /disk. (The outer disk is big enough: growing it a
      // sector at a time, each a durable resize, is correct but slow; other tests grow disks.)
      innerImage = fs.getPath("/disk");
      Qcow2FileSystemProvider provider = (Qcow2FileSystemProvider) fs.provider();
      try (FileSystem inner = provider.newFileSystem(Path.of(URI.create("qcow2:"
          + img.toUri() + "!/disk")), RO)) {
        throw new AssertionError("the outer disk is not a qcow2 image yet: " + inner);
      } catch (UnsupportedOperationException expected) {
        // all zeros: no qcow2 magic
      }
      java.nio.file.Files.write(innerImage, TestImage.of(2 << 20, 12).toBytes(),
          StandardOpenOption.WRITE);
      try (FileSystem inner = FileSystems.newFileSystem(innerImage, RW)) {
        assumeWritable(inner);
        concurrentWorkload(inner, model, 5, 40); // every inner flush is an outer one: few ops
        assertArrayEquals(model, readAll(inner.getPath("/disk")));
      }
    }
    try (FileSystem fs = open(img, RO);
        FileSystem inner = FileSystems.newFileSystem(fs.getPath("/disk"), RO)) {
      assertArrayEquals(model, readAll(inner.getPath("/disk")));
    }
  }

  // ---- threads

  @Test
  void manyThreadsReadManyChannels() throws Exception {
    TestImage t = sample();
    byte[] model = t.contents();
    Path img = store(dir(), "mt.qcow2", t);
    try (FileSystem fs = open(img, RO)) {
      Path disk = fs.getPath("/disk");
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      FileChannel shared = FileChannel.open(disk);
      for (int i = 0; i < 8; i++) {
        long seed = i;
        threads.add(new Thread(() -> {
          Random r = new Random(seed);
          try (FileChannel own = FileChannel.open(disk)) {
            for (int k = 0; k < 200; k++) {
              FileChannel ch = (k & 1) == 0 ? own : shared;
              int len = 1 + r.nextInt(20_000);
              int pos = r.nextInt(model.length);
              ByteBuffer b = ByteBuffer.allocate(len);
              int n = ch.read(b, pos);
              int expect = Math.min(len, model.length - pos);
              if (n != expect || !java.util.Arrays.equals(b.array(), 0, n, model, pos,
                  pos + n)) {
                throw new AssertionError("thread " + seed + ": read " + len + " at " + pos);
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread th : threads) {
        th.join();
      }
      shared.close();
      assertEquals(List.of(), failures);
    }
  }

  // ---- writing (the core's write path)

  static final Map<String, ?> RW = Map.of("accessMode", "readWrite");

  static void assumeWritable(FileSystem fs) {
    assumeTrue(((Qcow2FileSystem) fs).image().disk().isWritable(), "the core cannot write");
  }

  static byte[] grow(byte[] model, long size) {
    return java.util.Arrays.copyOf(model, (int) size);
  }

  @Test
  void writesReadBackAndPersist() throws Exception {
    TestImage t = sample();
    byte[] model = t.contents();
    Path img = store(dir(), "w.qcow2", t);
    try (FileSystem fs = open(img, RW)) {
      assumeWritable(fs);
      Path disk = fs.getPath("/disk");
      assertTrue(Files.isWritable(disk));
      Random r = new Random(9);
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        for (int i = 0; i < 200; i++) {
          byte[] data = new byte[1 + r.nextInt(3 * t.clusterSize())];
          r.nextBytes(data);
          int pos = r.nextInt(model.length - data.length);
          assertEquals(data.length, ch.write(ByteBuffer.wrap(data), pos));
          System.arraycopy(data, 0, model, pos, data.length);
          if (i % 50 == 0) {
            assertArrayEquals(model, readAll(disk));
          }
        }
        assertEquals(0, ch.position());
        ch.position(123);
        assertEquals(10, ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
        System.arraycopy(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, model, 123, 10);
        assertEquals(133, ch.position());
        ByteBuffer[] two = {ByteBuffer.wrap(new byte[] {7, 7}), ByteBuffer.wrap(new byte[] {8})};
        assertEquals(3, ch.write(two));
        model[133] = 7;
        model[134] = 7;
        model[135] = 8;
        ch.force(true);
      }
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE,
          StandardOpenOption.DSYNC)) {
        ch.write(ByteBuffer.wrap(new byte[] {9, 9}), 70_000);
        model[70_000] = 9;
        model[70_001] = 9;
      }
      assertArrayEquals(model, readAll(disk));
    }
    try (FileSystem fs = open(img, RO)) {
      assertArrayEquals(model, readAll(fs.getPath("/disk")));
    }
  }

  @Test
  void writingPastTheEndGrowsAndTruncateShrinks() throws Exception {
    TestImage t = sample();
    byte[] model = t.contents();
    Path img = store(dir(), "g.qcow2", t);
    long size = t.size();
    try (FileSystem fs = open(img, RW)) {
      assumeWritable(fs);
      Path disk = fs.getPath("/disk");
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), size + 1000);
        long grown = (size + 1003 + 511) / 512 * 512; // whole sectors, as qcow2 disks are
        assertEquals(grown, ch.size());
        assertEquals(grown, Files.size(disk));
        model = grow(model, grown);
        model[(int) size + 1000] = 1;
        model[(int) size + 1001] = 2;
        model[(int) size + 1002] = 3;
        assertArrayEquals(model, readAll(disk));

        ch.position(grown);
        ch.truncate(grown * 2); // never grows
        assertEquals(grown, ch.size());
        ch.truncate(size - 4096);
        assertEquals(size - 4096, ch.size());
        assertEquals(size - 4096, ch.position());
        model = grow(model, size - 4096);
        assertArrayEquals(model, readAll(disk));
        assertThrows(IOException.class, () -> ch.truncate(1000)); // not a whole sector
        assertEquals(size - 4096, ch.size());
        ch.truncate(size - 8192);
        ch.write(ByteBuffer.allocate(512).put(0, (byte) 5), size - 8192);
        model = grow(grow(model, size - 8192), size - 8192 + 512); // the shrink dropped the rest
        model[(int) size - 8192] = 5;
        assertArrayEquals(model, readAll(disk));
      }
      try (FileChannel app = FileChannel.open(disk, StandardOpenOption.APPEND)) {
        long before = app.size();
        app.write(ByteBuffer.wrap(new byte[] {42}));
        assertEquals(before + 512, app.size());
        model = grow(model, before + 512);
        model[(int) before] = 42;
      }
      assertArrayEquals(model, readAll(disk));
    }
    try (FileSystem fs = open(img, RO)) {
      assertArrayEquals(model, readAll(fs.getPath("/disk")));
      assertEquals((long) model.length,
          Files.readAttributes(fs.getPath("/disk"), "qcow2:virtualSize")
          .get("virtualSize"));
    }
  }

  @Test
  void streamsCopiesAndTransfers() throws Exception {
    TestImage t = sample();
    byte[] model = t.contents();
    Path d = dir();
    Path img = store(d, "s.qcow2", t);
    try (FileSystem fs = open(img, RW)) {
      assumeWritable(fs);
      Path disk = fs.getPath("/disk");
      byte[] data = new byte[10_000];
      new Random(4).nextBytes(data);
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
        assertEquals(data.length, ch.transferFrom(
            Channels.newChannel(new java.io.ByteArrayInputStream(data)), 3000, 1 << 20));
        assertEquals(0, ch.transferFrom(
            Channels.newChannel(new java.io.ByteArrayInputStream(data)), model.length + 1, 10));
      }
      System.arraycopy(data, 0, model, 3000, data.length);
      assertArrayEquals(model, readAll(disk));
      try (java.io.OutputStream out = Files.newOutputStream(disk, StandardOpenOption.WRITE)) {
        out.write(data, 0, 100); // no TRUNCATE_EXISTING: overwrites the start only
      }
      System.arraycopy(data, 0, model, 0, 100);
      assertArrayEquals(model, readAll(disk));
      Path copy = d.resolve("copy.raw");
      Files.copy(disk, copy);
      assertArrayEquals(model, Files.readAllBytes(copy));
      // Files.write truncates, as on any file: the disk becomes what was written, in sectors.
      Files.write(disk, data);
      assertEquals(10_240, Files.size(disk));
      assertArrayEquals(grow(data, 10_240), readAll(disk));
      try (java.io.OutputStream out = Files.newOutputStream(disk)) {
        Files.copy(copy, out);
      }
      assertArrayEquals(model, readAll(disk));
    }
  }

  /**
   * Threads write and read their own interleaved stripes (stripes share clusters, so allocation
   * races are real) on channels of their own and on one shared channel; a seeded model says what
   * every byte must read.
   */
  static void concurrentWorkload(FileSystem fs, byte[] model, long seed) throws Exception {
    concurrentWorkload(fs, model, seed, 150);
  }

  static void concurrentWorkload(FileSystem fs, byte[] model, long seed, int opsPerThread)
      throws Exception {
    Path disk = fs.getPath("/disk");
    int threads = 6;
    int stripe = 10_000;
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> list = new ArrayList<>();
    try (FileChannel shared = FileChannel.open(disk, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      for (int i = 0; i < threads; i++) {
        int me = i;
        list.add(new Thread(() -> {
          Random r = new Random(seed * 31 + me);
          int stripes = model.length / stripe;
          try (FileChannel own = FileChannel.open(disk, StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
            for (int k = 0; k < opsPerThread; k++) {
              FileChannel ch = r.nextBoolean() ? own : shared;
              int s = me + threads * r.nextInt((stripes - me + threads - 1) / threads);
              int from = s * stripe + r.nextInt(stripe);
              int len = 1 + r.nextInt(s * stripe + stripe - from);
              if (r.nextInt(3) > 0) {
                byte[] data = new byte[len];
                r.nextBytes(data);
                int n = ch.write(ByteBuffer.wrap(data), from);
                if (n != len) {
                  throw new AssertionError("short write");
                }
                System.arraycopy(data, 0, model, from, len);
              } else {
                ByteBuffer b = ByteBuffer.allocate(len);
                int n = ch.read(b, from);
                if (n != len || !java.util.Arrays.equals(b.array(), 0, len, model, from,
                    from + len)) {
                  throw new AssertionError("thread " + me + ": read " + len + " at " + from);
                }
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      list.forEach(Thread::start);
      for (Thread th : list) {
        th.join();
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void interruptedWriterHarmsNobody() throws Exception {
    TestImage t = sample();
    byte[] model = t.contents();
    Path img = store(dir(), "iw.qcow2", t);
    try (FileSystem fs = open(img, RW)) {
      assumeWritable(fs);
      Path disk = fs.getPath("/disk");
      FileChannel mine = FileChannel.open(disk, StandardOpenOption.WRITE);
      Thread.currentThread().interrupt();
      try {
        assertThrows(ClosedByInterruptException.class,
            () -> mine.write(ByteBuffer.allocate(100), 0));
      } finally {
        assertTrue(Thread.interrupted());
      }
      assertFalse(mine.isOpen());
      assertArrayEquals(model, readAll(disk)); // nothing was written

      // A writer interrupted at any moment: its range ends up old or new, everything else is
      // untouched, and the disk stays writable for everybody else.
      int from = 200_000;
      int len = 300_000;
      byte[] fill = new byte[len];
      java.util.Arrays.fill(fill, (byte) 0x5a);
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicReference<Throwable> ended =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
          for (int off = 0; ; off = (off + 4096) % len) {
            ch.write(ByteBuffer.wrap(fill, off, Math.min(4096, len - off)), from + off);
            started.countDown();
          }
        } catch (Throwable e) {
          ended.set(e);
        }
      });
      writer.start();
      started.await();
      writer.interrupt();
      writer.join(10_000);
      assertTrue(ended.get() instanceof ClosedByInterruptException, String.valueOf(ended.get()));
      byte[] now = readAll(disk);
      for (int i = 0; i < model.length; i++) {
        boolean inRange = i >= from && i < from + len;
        if (now[i] != model[i] && !(inRange && now[i] == 0x5a)) {
          throw new AssertionError("byte " + i + " is " + now[i] + ", not " + model[i]);
        }
      }
      assertTrue(((Qcow2FileSystem) fs).image().disk().isWritable());
      try (FileChannel other = FileChannel.open(disk, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        other.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10);
        ByteBuffer back = ByteBuffer.allocate(3);
        other.read(back, 10);
        assertArrayEquals(new byte[] {1, 2, 3}, back.array());
      }
    }
  }

  @Test
  void manyThreadsWriteAndReadManyChannels() throws Exception {
    TestImage t = sample();
    byte[] model = t.contents();
    Path img = store(dir(), "cw.qcow2", t);
    try (FileSystem fs = open(img, RW)) {
      assumeWritable(fs);
      concurrentWorkload(fs, model, 1);
      assertArrayEquals(model, readAll(fs.getPath("/disk")));
    }
    try (FileSystem fs = open(img, RO)) {
      assertArrayEquals(model, readAll(fs.getPath("/disk")));
    }
  }

  @Test
  void createImagesAndChains() throws Exception {
    Path d = dir();
    Path base = d.resolve("base.qcow2");
    byte[] pattern = new byte[200_000];
    new Random(8).nextBytes(pattern);
    try (FileSystem fs = open(base, Map.of("create", "true", "size", "1M",
        "clusterSize", "4k"))) {
      assertFalse(fs.isReadOnly());
      Path disk = fs.getPath("/disk");
      assertEquals(1 << 20, Files.size(disk));
      assertArrayEquals(new byte[1 << 20], readAll(disk));
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(pattern), 5000);
      }
    }
    byte[] baseModel = new byte[1 << 20];
    System.arraycopy(pattern, 0, baseModel, 5000, pattern.length);
    String baseDigest = digest(base);
    // create=true on an existing image opens it (zipfs semantics).
    try (FileSystem fs = open(base, Map.of("create", true, "size", "2M"))) {
      assertEquals(1 << 20, Files.size(fs.getPath("/disk")));
    }
    Path top = d.resolve("top.qcow2");
    Qcow2FileSystemProvider provider = new Qcow2FileSystemProvider();
    try (FileSystem fs = provider.newFileSystem(top, Map.of("create", "true",
        "backingFile", "base.qcow2", "backingFormat", "qcow2", "compat", "1.1"))) {
      Path disk = fs.getPath("/disk");
      assertEquals(1 << 20, Files.size(disk));
      assertArrayEquals(baseModel, readAll(disk));
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 6000);
      }
      Map<String, Object> q = Files.readAttributes(disk, "qcow2:*");
      assertEquals("base.qcow2", q.get("backingFile"));
      assertEquals("qcow2", q.get("backingFormat"));
      assertEquals(65536, q.get("clusterSize"));
    }
    assertEquals(baseDigest, digest(base));
    byte[] topModel = baseModel.clone();
    topModel[6000] = 1;
    topModel[6001] = 2;
    topModel[6002] = 3;
    try (FileSystem fs = open(top, RO)) {
      assertArrayEquals(topModel, readAll(fs.getPath("/disk")));
    }
    assertThrows(IllegalArgumentException.class,
        () -> open(d.resolve("x.qcow2"), Map.of("create", "true")));
    assertThrows(IllegalArgumentException.class,
        () -> open(d.resolve("y.qcow2"), Map.of("create", "true", "size", "1M",
            "accessMode", "readOnly")));
    assertFalse(Files.exists(d.resolve("x.qcow2")) || Files.exists(d.resolve("y.qcow2")));
  }
}
