package io.github.qcow2nio.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.ext4.testing.Debugfs;
import io.github.qcow2nio.ext4.testing.SourceTree;
import io.github.qcow2nio.ext4.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * File systems made by mkfs.ext4 from a known tree read as debugfs reads them: every directory's
 * names, every inode's number, mode, owner, size, link count and mtime, every file's bytes (from
 * debugfs dump) and every symlink's target; the same through a compressed qcow2 image.
 */
class ToolInteropTest {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  @TempDir
  static Path work;
  static Path source;
  static SourceTree.Built built;

  /** A way to run mkfs: its options, what type the store should report, what to check. */
  record Variant(String name, List<String> mkfs, String type, boolean extents, boolean qcow2) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Variant> variants() {
    return Stream.of(
        new Variant("ext4-4k", List.of("-t", "ext4", "-b", "4096"), "ext4", true, true),
        new Variant("ext4-1k", List.of("-t", "ext4", "-b", "1024"), "ext4", true, false),
        new Variant("ext2", List.of("-t", "ext2", "-b", "1024"), "ext2", false, false),
        new Variant("ext3", List.of("-t", "ext3", "-b", "4096"), "ext3", false, false),
        new Variant("ext4-noextent", List.of("-t", "ext4", "-O", "^extent,^64bit", "-b", "1024"),
            "ext4", false, false),
        new Variant("ext4-inline", List.of("-t", "ext4", "-O", "inline_data", "-b", "4096"),
            "ext4", true, true),
        new Variant("ext4-32bit-fewinodes", List.of("-t", "ext4", "-O", "^64bit", "-N", "3600",
            "-b", "4096"), "ext4", true, false),
        // 96 groups of 40 inodes: files land in groups past the first meta group's 16
        new Variant("ext4-metabg-128inode", List.of("-t", "ext4", "-O", "meta_bg,^resize_inode",
            "-I", "128", "-b", "1024", "-g", "1024", "-N", "3800"), "ext4", true, false));
  }

  @BeforeAll
  static void buildTree() throws IOException {
    if (Tools.find("mkfs.ext4") == null || Tools.find("debugfs") == null) {
      return;
    }
    source = work.resolve("src");
    built = SourceTree.build(source, 11);
  }

  @ParameterizedTest
  @MethodSource("variants")
  void readsAsDebugfsDoes(Variant v) throws Exception {
    Tools.assume("mkfs.ext4", "debugfs", "e2fsck");
    Path img = work.resolve(v.name + ".img");
    List<String> mkfs = new ArrayList<>(List.of("mkfs.ext4", "-q", "-F"));
    mkfs.addAll(v.mkfs);
    mkfs.addAll(List.of("-d", source.toString(), img.toString(), "96M"));
    Tools.run(mkfs);
    // mkfs -d writes directories linearly; e2fsck -D rebuilds large ones as htrees.
    Tools.run(List.of("e2fsck", "-fyD", img.toString()), false);
    if (v.extents) {
      garbageInUninitialisedExtent(img);
    }
    try {
      Map<String, String> expectedBytes = checkAgainstDebugfs(v, img);
      if (v.qcow2 && Tools.find("qemu-img") != null) {
        checkThroughQcow2(img, expectedBytes);
      }
    } finally {
      Files.deleteIfExists(img);
    }
  }

  /** Byte offset in /sparse of an uninitialised extent whose blocks hold garbage, or -1. */
  private long uninitialisedAt = -1;

  /**
   * Allocates part of /sparse's first hole as uninitialised extents (debugfs fallocate) and
   * fills the first of their blocks with 0xAA: the file must still read zeros there.
   */
  private void garbageInUninitialisedExtent(Path img) throws IOException {
    Tools.run(List.of("debugfs", "-w", "-R", "fallocate /sparse 2000 2100", img.toString()));
    String ex = Debugfs.one(img, "ex /sparse");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "(\\d+) -\\s*\\d+\\s+(\\d+) -\\s*\\d+\\s+(\\d+) Uninit").matcher(ex);
    assertTrue(m.find(), "debugfs fallocate made no uninitialised extent:\n" + ex);
    long blockSize = Long.parseLong(field(Debugfs.one(img, "stats"), "Block size"));
    long logical = Long.parseLong(m.group(1));
    long physical = Long.parseLong(m.group(2));
    int blocks = (int) Math.min(8, Long.parseLong(m.group(3)));
    byte[] garbage = new byte[(int) blockSize * blocks];
    java.util.Arrays.fill(garbage, (byte) 0xAA);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(garbage), physical * blockSize);
    }
    uninitialisedAt = logical * blockSize;
  }

  /** Compares the whole tree with debugfs; returns each regular file's digest by path. */
  private Map<String, String> checkAgainstDebugfs(Variant v, Path img) throws Exception {
    Map<String, String> digests = new TreeMap<>();
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertEquals("ext4", fs.provider().getScheme());
      Path root = fs.getPath("/");
      List<Path> all;
      try (Stream<Path> s = Files.walk(root)) {
        all = s.toList();
      }
      Path dumps = Files.createDirectories(work.resolve(v.name + "-dump"));
      Map<Path, Path> dumped = new HashMap<>();
      List<String> commands = new ArrayList<>();
      for (Path p : all) {
        if (Files.isDirectory(p, NOFOLLOW)) {
          commands.add("ls -l \"" + p + "\"");
        }
        // debugfs's stat and dump of everything but a sample of the big directory's entries
        // (ls -l covers all of them): their per-file cost would dominate a test run
        boolean sampled = !p.startsWith("/big") || p.hashCode() % 10 == 0;
        if (sampled) {
          commands.add("stat \"" + p + "\"");
        }
        if (Files.isRegularFile(p, NOFOLLOW) && !p.toString().equals("/sparse") && sampled) {
          Path to = dumps.resolve(Integer.toString(dumped.size()));
          dumped.put(p, to);
          commands.add("dump \"" + p + "\" " + to);
        }
      }
      Map<String, String> out = Debugfs.batch(img, commands);
      Map<String, Debugfs.Listed> listed = new HashMap<>();
      for (Path p : all) {
        if (Files.isDirectory(p, NOFOLLOW)) {
          List<Debugfs.Listed> ls = Debugfs.parseLs(out.get("ls -l \"" + p + "\""));
          TreeSet<String> theirs = new TreeSet<>();
          for (Debugfs.Listed l : ls) {
            theirs.add(l.name());
            listed.put(p.resolve(l.name()).toString(), l);
          }
          TreeSet<String> ours = new TreeSet<>();
          try (Stream<Path> s = Files.list(p)) {
            s.forEach(c -> ours.add(c.getFileName().toString()));
          }
          assertEquals(theirs, ours, "names in " + p);
        }
      }
      assertTrue(all.size() > SourceTree.FILES + SourceTree.BIG_DIR_ENTRIES, "walked " + all.size());
      for (Path p : all) {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW);
        String stat = out.get("stat \"" + p + "\"");
        Debugfs.Stat st = stat == null ? null : Debugfs.parseStat(stat);
        if (st != null) {
          assertEquals(st.ino(), a.get("ino"), "ino of " + p);
          assertEquals(st.ino(), a.get("fileKey"), "fileKey of " + p);
          assertEquals(st.links(), a.get("nlink"), "links of " + p);
          assertEquals(st.mtime(), hexTime((FileTime) a.get("lastModifiedTime"), st.mtime()),
              "mtime of " + p);
          assertEquals(st.flags(), a.get("flags"), "flags of " + p);
        }
        Debugfs.Listed l = listed.get(p.toString());
        if (l != null) {
          assertEquals(l.ino(), a.get("ino"), "ino (ls) of " + p);
          assertEquals(l.mode(), a.get("mode"), "mode of " + p);
          assertEquals(l.uid(), Integer.toUnsignedLong((Integer) a.get("uid")), "uid of " + p);
          assertEquals(l.gid(), Integer.toUnsignedLong((Integer) a.get("gid")), "gid of " + p);
          assertEquals(l.size(), a.get("size"), "size of " + p);
          assertEquals(Long.toString(l.uid()),
              Files.readAttributes(p, "posix:owner", NOFOLLOW).get("owner").toString());
        }
        if (Files.isSymbolicLink(p)) {
          String target = Files.readSymbolicLink(p).toString();
          assertEquals(Files.readSymbolicLink(source.resolve(root.relativize(p).toString()))
              .toString(), target, "target of " + p);
          if (st != null && st.fastLink() != null) {
            assertEquals(st.fastLink(), target);
          }
        } else if (Files.isRegularFile(p, NOFOLLOW) && !p.toString().equals("/sparse")) {
          String ours = digest(p);
          Path theirs = dumped.get(p);
          if (theirs != null) {
            // debugfs dumps an inline file's whole i_block area; its ls size says where it
            // ends. (The source tree is no oracle: mke2fs -d drops the trailing hole of a
            // file it stores with inline_data.)
            assertEquals(digest(theirs, l.size()), ours, "bytes of " + p + " (debugfs dump)");
          }
          digests.put(p.toString(), ours);
        }
      }
      checkSpecifics(v, img, fs);
    }
    return digests;
  }

  /** "0xSECONDS:EXTRA" as debugfs prints it, or "0xSECONDS" when the inode has no extra time. */
  private static String hexTime(FileTime t, String like) {
    java.time.Instant i = t.toInstant();
    String secs = String.format("0x%08x", (int) i.getEpochSecond());
    if (!like.contains(":")) {
      return secs;
    }
    long extra = ((long) i.getNano() << 2) | ((i.getEpochSecond() - (int) i.getEpochSecond()) >>> 32 & 3);
    return secs + String.format(":%08x", extra);
  }

  private void checkSpecifics(Variant v, Path img, FileSystem fs) throws Exception {
    assertEquals(v.type, Files.getFileStore(fs.getPath("/")).type());
    String stats = Debugfs.one(img, "stats");
    long blocks = Long.parseLong(field(stats, "Block count"));
    long free = Long.parseLong(field(stats, "Free blocks"));
    long blockSize = Long.parseLong(field(stats, "Block size"));
    assertEquals(blocks * blockSize, Files.getFileStore(fs.getPath("/")).getTotalSpace());
    assertEquals(free * blockSize, Files.getFileStore(fs.getPath("/")).getUnallocatedSpace());
    if (v.extents) {
      assertTrue(Debugfs.extentDepth(img, "/frag") >= (blockSize == 1024 ? 2 : 1),
          "the fragmented file needs an extent tree of depth >= 1");
    }
    if (!v.name.equals("ext4-inline")) {
      String htree = Debugfs.one(img, "htree /big");
      assertTrue(htree.contains("Root node dump"), "/big should be htree-indexed");
      if (blockSize == 1024) {
        // two levels: the listing above went past interior index blocks too
        assertTrue(htree.contains("Indirect levels: 1"), htree.substring(0, 300));
      }
    }
    // The far end of the sparse file is past the double-indirect range at 1 KiB blocks; its
    // 70 MiB are compared piecewise with the source (mke2fs keeps its holes and size).
    Path dumped = source.resolve("sparse");
    try (java.nio.channels.SeekableByteChannel ours = Files.newByteChannel(fs.getPath("/sparse"));
        java.nio.channels.SeekableByteChannel theirs = Files.newByteChannel(dumped)) {
      assertEquals(SourceTree.SPARSE_FAR + 7, ours.size());
      assertEquals(theirs.size(), ours.size());
      for (long at : new long[] {0, 4096, (10L << 20) - 10, 10L << 20, (10L << 20) + 4000,
          40L << 20, SourceTree.SPARSE_FAR - 3000, SourceTree.SPARSE_FAR - 1,
          Math.max(0, uninitialisedAt)}) {
        ByteBuffer a = ByteBuffer.allocate(8192);
        ByteBuffer b = ByteBuffer.allocate(8192);
        ours.position(at).read(a);
        theirs.position(at).read(b);
        assertEquals(b.flip(), a.flip(), "sparse bytes at " + at);
      }
      ByteBuffer end = ByteBuffer.allocate(7);
      ours.position(SourceTree.SPARSE_FAR).read(end);
      assertEquals("far end", new String(end.array(), StandardCharsets.US_ASCII));
    }
    assertTrue(Files.isSameFile(fs.getPath("/hard/h1"), fs.getPath("/files/f001")));
    assertTrue(Files.isSameFile(fs.getPath("/links/dir/d2"), fs.getPath("/deep/d1/d2")));
    assertFalse(Files.isSameFile(fs.getPath("/hard/h1"), fs.getPath("/files/f002")));
    assertEquals("bottom\n", Files.readString(fs.getPath("/links/slow")));
    assertEquals("hello, ext4\n", Files.readString(fs.getPath("/links/abs")));
    assertEquals(fs.getPath("/deep/d1"), fs.getPath("/links/dir").toRealPath());
    assertEquals(fs.getPath("/links/dir"), fs.getPath("/links/dir").toRealPath(NOFOLLOW));
    FileSystemException loop = assertThrows(FileSystemException.class,
        () -> Files.readAllBytes(fs.getPath("/links/loop1")));
    assertTrue(loop.getMessage().contains("symbolic links"), loop.getMessage());
    assertFalse(Files.exists(fs.getPath("/links/dangling")));
    if (Files.exists(source.resolve("links/fifo"))) {
      assertTrue(Files.readAttributes(fs.getPath("/links/fifo"), BasicFileAttributes.class)
          .isOther());
    }
    assertTrue(Files.exists(fs.getPath("/links/dangling"), NOFOLLOW));
    if (built.xattrs()) {
      UserDefinedFileAttributeView x = Files.getFileAttributeView(fs.getPath("/xattr/big"),
          UserDefinedFileAttributeView.class);
      UserDefinedFileAttributeView hx = Files.getFileAttributeView(source.resolve("xattr/big"),
          UserDefinedFileAttributeView.class);
      assertEquals(new TreeSet<>(hx.list()), new TreeSet<>(x.list()));
      for (String n : hx.list()) {
        assertArrayEquals(value(hx, n), value(x, n), n);
        assertTrue(Debugfs.eaList(img, "/xattr/big").contains("user." + n), n);
      }
      assertArrayEquals("small value".getBytes(StandardCharsets.UTF_8),
          (byte[]) Files.getAttribute(fs.getPath("/xattr/small"), "user:comment"));
    }
  }

  private static byte[] value(UserDefinedFileAttributeView v, String name) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(v.size(name));
    v.read(name, b);
    return b.array();
  }

  private static String field(String stats, String name) {
    for (String line : stats.split("\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    throw new IllegalArgumentException("no " + name + " in\n" + stats);
  }

  /** The same file system after qemu-img convert -c reads the same through the qcow2 disk. */
  private void checkThroughQcow2(Path img, Map<String, String> digests) throws Exception {
    Path q = work.resolve(img.getFileName() + ".qcow2");
    Tools.run(List.of("qemu-img", "convert", "-O", "qcow2", "-c", img.toString(), q.toString()));
    try (FileSystem image = FileSystems.newFileSystem(q);
        FileSystem fs = FileSystems.newFileSystem(image.getPath("/disk"))) {
      assertEquals("ext4", fs.provider().getScheme());
      Map<String, String> ours = new TreeMap<>();
      try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(p, NOFOLLOW) && !p.startsWith("/lost+found")
              && !p.toString().equals("/sparse")) {
            ours.put(p.toString(), digest(p));
          }
        }
      }
      assertEquals(digests, ours);
      Path uriPath = Path.of(fs.getPath("/hello.txt").toUri());
      assertEquals("hello, ext4\n", Files.readString(uriPath));
    } finally {
      Files.deleteIfExists(q);
    }
  }

  static String digest(Path p) throws IOException {
    return digest(p, Long.MAX_VALUE);
  }

  static String digest(Path p, long limit) throws IOException {
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(p)) {
      private long left = limit;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        left -= Math.max(n, 0);
        return n;
      }
    }) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
