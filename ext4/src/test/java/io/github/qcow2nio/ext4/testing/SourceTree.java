package io.github.qcow2nio.ext4.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Random;

/**
 * The directory tree the tests hand to {@code mkfs.ext4 -d}: hundreds of files, a directory deep
 * enough to stress resolution, one large enough for an htree index, a large file, sparse files
 * (one reaching triple-indirect blocks at 1 KiB blocks), a fragmented file (deep extent trees),
 * fast and slow symlinks, hard links, odd modes and owners and, where the host allows, user
 * extended attributes. Contents come from a seeded generator, so every run builds the same tree.
 */
public final class SourceTree {
  public static final int FILES = 300;
  public static final int BIG_DIR_ENTRIES = 3000;
  public static final int DEPTH = 40;
  public static final int LARGE_BYTES = 20 << 20;
  public static final int FRAGMENTS = 600;
  public static final long SPARSE_FAR = 70L << 20;

  private SourceTree() {}

  /** Whether owners could be set (root) and user xattrs were stored. */
  public record Built(boolean owners, boolean xattrs) {}

  public static Built build(Path root, long seed) throws IOException {
    Random r = new Random(seed);
    Files.createDirectories(root);
    Files.writeString(root.resolve("hello.txt"), "hello, ext4\n");
    Files.write(root.resolve("empty"), new byte[0]);
    Path files = Files.createDirectories(root.resolve("files"));
    for (int i = 0; i < FILES; i++) {
      byte[] b = new byte[r.nextInt(i % 10 == 0 ? 70000 : 5000)];
      r.nextBytes(b);
      Files.write(files.resolve(String.format("f%03d", i)), b);
    }
    Files.writeString(files.resolve("with space.txt"), "spaced\n");
    Files.writeString(files.resolve("\u00fcn\u00efc\u00f8d\u00e9-\u6587\u4ef6.txt"), "unicode\n");
    Path deep = root.resolve("deep");
    for (int i = 1; i <= DEPTH; i++) {
      deep = deep.resolve("d" + i);
    }
    Files.createDirectories(deep);
    Files.writeString(deep.resolve("leaf.txt"), "bottom\n");
    Path big = Files.createDirectories(root.resolve("big"));
    for (int i = 0; i < BIG_DIR_ENTRIES; i++) {
      Files.writeString(big.resolve(String.format("entry-%05d-%s", i, "x".repeat(i % 40))),
          Integer.toString(i));
    }
    Files.createDirectories(big.resolve("sub"));
    byte[] large = new byte[LARGE_BYTES];
    r.nextBytes(large);
    Files.write(root.resolve("large.bin"), large);
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("sparse").toFile(), "rw")) {
      f.write("start".getBytes(StandardCharsets.US_ASCII));
      f.seek(10L << 20);
      f.write(block(r, 5000));
      f.seek(SPARSE_FAR);
      f.write("far end".getBytes(StandardCharsets.US_ASCII));
    }
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("frag").toFile(), "rw")) {
      for (int i = 0; i < FRAGMENTS; i++) {
        f.seek(i * 8192L);
        f.write(block(r, 1024));
      }
    }
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("hole-tail").toFile(), "rw")) {
      f.write(block(r, 100));
      f.setLength(3 << 20);
    }
    Path links = Files.createDirectories(root.resolve("links"));
    Files.createSymbolicLink(links.resolve("fast"), Path.of("../hello.txt"));
    Files.createSymbolicLink(links.resolve("slow"),
        Path.of("..").resolve(root.relativize(deep.resolve("leaf.txt"))));
    Files.createSymbolicLink(links.resolve("abs"), Path.of("/hello.txt"));
    Files.createSymbolicLink(links.resolve("dangling"), Path.of("nowhere"));
    Files.createSymbolicLink(links.resolve("loop1"), Path.of("loop2"));
    Files.createSymbolicLink(links.resolve("loop2"), Path.of("loop1"));
    Files.createSymbolicLink(links.resolve("dir"), Path.of("../deep/d1"));
    if (Tools.find("mkfifo") != null) {
      Tools.run(java.util.List.of("mkfifo", links.resolve("fifo").toString()), false);
    }
    Path hard = Files.createDirectories(root.resolve("hard"));
    Files.createLink(hard.resolve("h1"), files.resolve("f001"));
    Files.createLink(hard.resolve("h2"), files.resolve("f001"));
    Path modes = Files.createDirectories(root.resolve("modes"));
    String[] perms = {"rw-------", "rwxr-xr-x", "r--r--r--", "---------", "rwsr-xr-x",
        "rwxr-sr-x"};
    for (int i = 0; i < perms.length; i++) {
      Path p = modes.resolve("m" + i);
      Files.writeString(p, "mode " + i);
    }
    Path sticky = Files.createDirectories(modes.resolve("sticky"));
    boolean owners = false;
    try {
      setOwner(modes.resolve("m0"), 1000, 1000);
      setOwner(modes.resolve("m1"), 4242, 777);
      setOwner(modes.resolve("m2"), 100000, 200000);
      setOwner(sticky, 65534, 65534);
      owners = true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // not root: owners stay the runner's own, which the comparison reads back all the same
    }
    for (int i = 0; i < perms.length; i++) {
      Path p = modes.resolve("m" + i);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms[i].replace('s', 'x')));
      chmodSpecial(p, perms[i]);
    }
    Files.setPosixFilePermissions(sticky, PosixFilePermissions.fromString("rwxrwxrwx"));
    Tools.run(java.util.List.of("chmod", "1777", sticky.toString()), false);
    Files.setLastModifiedTime(root.resolve("hello.txt"),
        FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z")));
    boolean xattrs = false;
    Path xdir = Files.createDirectories(root.resolve("xattr"));
    Path small = xdir.resolve("small");
    Path bigx = xdir.resolve("big");
    Files.writeString(small, "x");
    Files.writeString(bigx, "y");
    UserDefinedFileAttributeView v = Files.getFileAttributeView(small,
        UserDefinedFileAttributeView.class);
    if (v != null) {
      try {
        v.write("comment", StandardCharsets.UTF_8.encode("small value"));
        UserDefinedFileAttributeView vb = Files.getFileAttributeView(bigx,
            UserDefinedFileAttributeView.class);
        vb.write("blob", ByteBuffer.wrap(block(new Random(seed + 1), 700)));
        vb.write("tag", StandardCharsets.UTF_8.encode("t"));
        xattrs = true;
      } catch (IOException | UnsupportedOperationException e) {
        // the host file system keeps no user xattrs: the xattr checks skip
      }
    }
    return new Built(owners, xattrs);
  }

  private static void setOwner(Path p, int uid, int gid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", gid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  /** Setuid and setgid bits have no PosixFilePermission; chmod sets them. */
  private static void chmodSpecial(Path p, String perms) throws IOException {
    if (perms.charAt(2) == 's') {
      Tools.run(java.util.List.of("chmod", "u+s", p.toString()), false);
    }
    if (perms.charAt(5) == 's') {
      Tools.run(java.util.List.of("chmod", "g+s", p.toString()), false);
    }
  }

  private static byte[] block(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
