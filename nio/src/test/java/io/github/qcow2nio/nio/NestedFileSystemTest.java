package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.nio.MemProvider.MemFile;
import io.github.qcow2nio.nio.MemProvider.MemFileSystem;
import io.github.qcow2nio.nio.MemProvider.MemPath;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared provider, file system, path and store over the in-memory {@link MemProvider}. */
class NestedFileSystemTest {
  private static final AtomicInteger NEXT = new AtomicInteger();

  private final MemProvider provider = new MemProvider();
  private final List<MemFileSystem> opened = new ArrayList<>();

  private MemFileSystem open(boolean readOnly, String... names) throws IOException {
    Map<String, MemFile> files = new HashMap<>();
    for (String n : names) {
      files.put(n, new MemFile(n.getBytes()));
    }
    MemFileSystem fs = provider.open(URI.create("file:///vol" + NEXT.incrementAndGet()), files,
        readOnly);
    opened.add(fs);
    return fs;
  }

  @AfterEach
  void closeAll() throws IOException {
    for (MemFileSystem fs : opened) {
      fs.releases.clear();
      fs.close();
    }
  }

  @Test
  void oneFileSystemPerFileUntilItCloses() throws IOException {
    MemFileSystem fs = open(false, "a");
    URI inner = fs.innerUri();
    FileSystemAlreadyExistsException twice = assertThrows(FileSystemAlreadyExistsException.class,
        () -> provider.open(inner, Map.of(), false));
    assertEquals("a mem file system is already open on " + inner, twice.getMessage());
    assertSame(fs, provider.getFileSystem(URI.create("mem:" + inner)));
    fs.close();
    FileSystemNotFoundException gone = assertThrows(FileSystemNotFoundException.class,
        () -> provider.getFileSystem(URI.create("mem:" + inner)));
    assertEquals("no mem file system is open for mem:" + inner, gone.getMessage());
    MemFileSystem again = provider.open(inner, Map.of(), false);
    opened.add(again);
    assertTrue(again.isOpen());
  }

  @Test
  void anOpeningThatFindsNothingRegistersNothing() throws IOException {
    URI inner = URI.create("file:///nothing" + NEXT.incrementAndGet());
    assertNull(MemProvider.OPEN.open(inner, inner, () -> null));
    assertNull(MemProvider.OPEN.find(inner));
  }

  @Test
  void pathUrisRoundTripAndFindTheirFileSystem() throws IOException {
    MemFileSystem fs = open(false, "a");
    MemPath p = fs.getPath("/", "a");
    URI uri = p.toUri();
    assertEquals("mem:" + fs.innerUri() + "!/a", uri.toString());
    assertEquals(p, provider.getPath(uri));
    assertSame(fs, provider.getFileSystem(uri));
    assertEquals("mem:" + fs.innerUri(), fs.toString());
    assertThrows(FileSystemNotFoundException.class,
        () -> provider.getPath(URI.create("mem:file:///none!/a")));
  }

  @Test
  void pathStringsJoinAsTheDefaultFileSystemJoinsThem() throws IOException {
    MemFileSystem fs = open(false);
    assertEquals("/a/b", fs.getPath("/a", "", "b").toString());
    assertEquals("a/b", fs.getPath("", "a", "b").toString());
    assertEquals("/", fs.getPath("/").toString());
    assertSame(fs.root(), fs.getRootDirectories().iterator().next());
    assertEquals(fs.root(), fs.getPath("x").toAbsolutePath().getRoot());
  }

  @Test
  void realPathsExistAndRefusalsUseTheNoun() throws IOException {
    MemFileSystem fs = open(false, "a");
    assertEquals(fs.getPath("/a"), fs.getPath("x/../a").toRealPath());
    assertThrows(NoSuchFileException.class, () -> fs.getPath("/b").toRealPath());
    UnsupportedOperationException watch =
        assertThrows(UnsupportedOperationException.class, fs::newWatchService);
    assertEquals("a mem file system cannot be watched", watch.getMessage());
    assertEquals(watch.getMessage(), assertThrows(UnsupportedOperationException.class,
        () -> fs.getPath("/a").register(null)).getMessage());
    assertEquals("a mem file system has no users", assertThrows(
        UnsupportedOperationException.class, fs::getUserPrincipalLookupService).getMessage());
    assertTrue(fs.getPathMatcher("glob:/*").matches(fs.getPath("/a")));
  }

  @Test
  void pathsOfOtherProvidersAreRefusedAndNeverTheSameFile() throws IOException {
    MemFileSystem fs = open(false, "a");
    MemFileSystem other = open(false, "a");
    ProviderMismatchException e = assertThrows(ProviderMismatchException.class,
        () -> provider.checkAccess(Path.of("/a")));
    assertTrue(e.getMessage().startsWith("not a mem path: /a ("), e.getMessage());
    assertTrue(provider.isSameFile(fs.getPath("/a"), fs.getPath("x/../../a")));
    assertFalse(provider.isSameFile(fs.getPath("/a"), other.getPath("/a")));
    assertFalse(provider.isSameFile(fs.getPath("/a"), Path.of("/a")));
    assertFalse(provider.isHidden(fs.getPath("/a")));
  }

  @Test
  void closingClosesWhatWasHandedOutWhileStillOpenThenReleasesInOrder() throws IOException {
    MemFileSystem fs = open(false, "a");
    FileChannel ch = provider.newFileChannel(fs.getPath("/a"), Set.of(StandardOpenOption.READ));
    DirectoryStream<Path> dir = provider.newDirectoryStream(fs.getPath("/"), null);
    assertEquals(2, fs.open());
    List<String> order = new ArrayList<>();
    boolean[] openWhileClosing = new boolean[1];
    fs.releases.add(() -> order.add("flush"));
    fs.releases.add(() -> {
      order.add("close");
      openWhileClosing[0] = fs.isOpen();
    });
    fs.close();
    assertFalse(ch.isOpen());
    assertEquals(Boolean.TRUE, fs.files.get("a").openAtClose,
        "a channel closing with its file system may still use it");
    assertThrows(IllegalStateException.class, dir::iterator);
    assertEquals(List.of("flush", "close"), order);
    assertFalse(openWhileClosing[0], "the releases run once the file system counts as closed");
    assertEquals(0, fs.open());
    assertFalse(fs.isOpen());
    assertThrows(ClosedFileSystemException.class, fs::checkOpen);
    assertThrows(ClosedFileSystemException.class, fs::getRootDirectories);
    fs.close(); // a second close does nothing
    assertEquals(List.of("flush", "close"), order);
  }

  @Test
  void everyReleaseRunsAndTheFirstFailureCarriesTheOthers() throws IOException {
    MemFileSystem fs = open(false);
    List<String> ran = new ArrayList<>();
    fs.releases.add(() -> {
      ran.add("1");
      throw new IOException("first");
    });
    fs.releases.add(() -> {
      ran.add("2");
      throw new IOException("second");
    });
    fs.releases.add(() -> ran.add("3"));
    IOException e = assertThrows(IOException.class, fs::close);
    assertEquals("first", e.getMessage());
    assertEquals("second", e.getSuppressed()[0].getMessage());
    assertEquals(List.of("1", "2", "3"), ran);
    assertNull(MemProvider.OPEN.find(fs.innerUri()), "forgotten even when closing fails");
  }

  @Test
  void nothingIsHandedOutAfterClose() throws IOException {
    MemFileSystem fs = open(false, "a");
    MemPath a = fs.getPath("/a");
    fs.close();
    assertThrows(ClosedFileSystemException.class,
        () -> provider.newFileChannel(a, Set.of(StandardOpenOption.READ)));
    assertThrows(ClosedFileSystemException.class, () -> provider.newDirectoryStream(a, null));
  }

  @Test
  void refusalsOfChangesDependOnReadOnly() throws IOException {
    MemFileSystem rw = open(false, "a");
    MemFileSystem ro = open(true, "a");
    AccessDeniedException denied = assertThrows(AccessDeniedException.class,
        () -> provider.delete(rw.getPath("/a")));
    assertEquals("fixed", denied.getReason());
    assertThrows(ReadOnlyFileSystemException.class, () -> provider.delete(ro.getPath("/a")));
    assertTrue(ro.isReadOnly());
    assertTrue(ro.getFileStores().iterator().next().isReadOnly());
  }

  @Test
  void storesAnswerForTheViewsTheProviderOffers() throws IOException {
    MemFileSystem fs = open(false, "a");
    var store = provider.getFileStore(fs.getPath("/a"));
    assertTrue(store.supportsFileAttributeView(BasicFileAttributeView.class));
    assertFalse(store.supportsFileAttributeView(DosFileAttributeView.class));
    assertTrue(store.supportsFileAttributeView("basic"));
    assertNull(store.getFileStoreAttributeView(null));
    assertEquals(0, store.getUsableSpace());
    assertEquals("mem (memory)", store.toString());
    assertThrows(UnsupportedOperationException.class, () -> store.getAttribute("totalSpace"));
    assertThrows(NoSuchFileException.class, () -> provider.getFileStore(fs.getPath("/b")));
  }

  @Test
  void attributeViewsAreDispatchedByTypeAndByName() throws IOException {
    MemFileSystem fs = open(false, "a");
    MemPath a = fs.getPath("/a");
    assertEquals("basic",
        provider.getFileAttributeView(a, BasicFileAttributeView.class).name());
    assertNull(provider.getFileAttributeView(a, DosFileAttributeView.class));
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> provider.readAttributes(a, PosixFileAttributes.class));
    assertEquals("attributes java.nio.file.attribute.PosixFileAttributes; a mem file system "
        + "has basic attributes", e.getMessage());
    assertNull(provider.readAttributes(a, BasicFileAttributes.class));
    assertEquals(Map.of("asked", "basic:size", "follow", false),
        provider.readAttributes(a, "basic:size", LinkOption.NOFOLLOW_LINKS));
    provider.setAttribute(a, "basic:x", 1);
    assertEquals(List.of("set basic:x=1"), provider.log);
  }

  @Test
  void byteChannelsAreFileChannels() throws IOException {
    MemFileSystem fs = open(false, "abc");
    try (var ch = provider.newByteChannel(fs.getPath("/abc"), Set.of())) {
      assertTrue(ch instanceof FileChannel);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(3);
      ch.read(b);
      assertArrayEquals("abc".getBytes(), b.array());
    }
  }
}
