package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import io.github.qcow2nio.format.testing.ReadmeSnippets;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Internal snapshots through NIO: {@code Files.copy} to and from {@code /snapshots}, {@code
 * Files.delete}, {@code Files.move}, the snapshot attributes, channels open across a revert,
 * read-only file systems; qemu-img as the oracle; and README.md's snapshot examples, run here.
 */
class SnapshotFilesTest {
  @TempDir Path dir;

  static void snapshots(Path dir) throws IOException {
    // begin:snapshots
    Path image = dir.resolve("vm.qcow2");
    try (FileSystem fs = FileSystems.newFileSystem(URI.create("qcow2:" + image.toUri()),
        Map.of("create", "true", "size", "16M"))) {
      Path disk = fs.getPath("/disk");
      Files.write(disk, "before".getBytes(), StandardOpenOption.WRITE);
      Files.copy(disk, fs.getPath("/snapshots/clean"));          // create a snapshot
      Files.write(disk, "after!".getBytes(), StandardOpenOption.WRITE);
      Files.copy(fs.getPath("/snapshots/clean"), disk,            // revert to it
          StandardCopyOption.REPLACE_EXISTING);
      Files.move(fs.getPath("/snapshots/clean"), fs.getPath("/snapshots/base")); // rename
      Map<String, Object> a = Files.readAttributes(fs.getPath("/snapshots/base"),
          "qcow2:id,date,vmClock,vmStateSize,diskSize");
      System.out.println("snapshot " + a.get("id") + " of " + a.get("diskSize") + " bytes, "
          + "taken " + a.get("date"));
      Files.delete(fs.getPath("/snapshots/base"));                // delete it
    }
    // end:snapshots
  }

  @Test
  void readmeExampleWorks() throws IOException {
    snapshots(dir);
    try (FileSystem fs = FileSystems.newFileSystem(dir.resolve("vm.qcow2"),
        Map.of("accessMode", "readOnly"))) {
      byte[] head = new byte[6];
      try (FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
        ch.read(ByteBuffer.wrap(head), 0);
      }
      assertEquals("before", new String(head));
      try (var list = Files.list(fs.getPath("/snapshots"))) {
        assertEquals(0, list.count());
      }
    }
  }

  @Test
  void readmeShowsTheExample() throws IOException {
    ReadmeSnippets.assertShown(
        Path.of("src/test/java/io/github/qcow2nio/provider/SnapshotFilesTest.java"),
        Path.of("README.md"), List.of("snapshots"));
  }

  private FileSystem create(String name, String size) throws IOException {
    return FileSystems.newFileSystem(URI.create("qcow2:" + dir.resolve(name).toUri()),
        Map.of("create", "true", "size", size, "clusterSize", "4k"));
  }

  private static byte[] read(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    ch.read(b, pos);
    return b.array();
  }

  @Test
  void openChannelsSeeTheRevertedDisk() throws IOException {
    try (FileSystem fs = create("open.qcow2", "1M");
        FileChannel ch = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 1, 1}), 4096);
      Files.copy(fs.getPath("/disk"), fs.getPath("/snapshots/one"));
      ch.write(ByteBuffer.wrap(new byte[] {2, 2, 2}), 4096);
      ch.write(ByteBuffer.wrap(new byte[] {9}), (2 << 20) - 1); // grows the disk to 2 MiB
      assertEquals(2 << 20, ch.size());
      Files.copy(fs.getPath("/snapshots/one"), fs.getPath("/disk"),
          StandardCopyOption.REPLACE_EXISTING);
      // The same channel now reads and writes the reverted disk, at the snapshot's size.
      assertArrayEquals(new byte[] {1, 1, 1}, read(ch, 4096, 3));
      assertEquals(1 << 20, ch.size());
      assertEquals(1 << 20, Files.size(fs.getPath("/disk")));
      ch.write(ByteBuffer.wrap(new byte[] {3}), 4097);
      assertArrayEquals(new byte[] {1, 3, 1}, read(ch, 4096, 3));
      // The snapshot itself is unchanged by writes after the revert.
      try (FileChannel snap = FileChannel.open(fs.getPath("/snapshots/one"))) {
        assertArrayEquals(new byte[] {1, 1, 1}, read(snap, 4096, 3));
        // An open snapshot cannot be deleted under its reader, nor replaced.
        assertThrows(FileSystemException.class,
            () -> Files.delete(fs.getPath("/snapshots/one")));
        assertThrows(FileSystemException.class, () -> Files.copy(fs.getPath("/disk"),
            fs.getPath("/snapshots/one"), StandardCopyOption.REPLACE_EXISTING));
        // A rename keeps it readable.
        Files.move(fs.getPath("/snapshots/one"), fs.getPath("/snapshots/uno"));
        assertArrayEquals(new byte[] {1, 1, 1}, read(snap, 4096, 3));
        assertThrows(FileSystemException.class,
            () -> Files.delete(fs.getPath("/snapshots/uno")));
      }
      Files.delete(fs.getPath("/snapshots/uno"));
      assertFalse(Files.exists(fs.getPath("/snapshots/uno")));
    }
  }

  @Test
  void namesAndReplacement() throws IOException {
    try (FileSystem fs = create("names.qcow2", "1M")) {
      Path disk = fs.getPath("/disk");
      Path a = fs.getPath("/snapshots/a");
      Path b = fs.getPath("/snapshots/b");
      Files.copy(disk, a);
      assertThrows(FileAlreadyExistsException.class, () -> Files.copy(disk, a));
      Files.write(disk, new byte[] {7}, StandardOpenOption.WRITE);
      Files.copy(disk, b);
      assertThrows(FileAlreadyExistsException.class, () -> Files.move(a, b));
      Files.move(a, b, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      try (var list = Files.list(fs.getPath("/snapshots"))) {
        assertEquals(List.of(b), list.toList());
      }
      assertEquals(0, Files.readAllBytes(b)[0]); // b is a's disk now
      Files.copy(disk, b, StandardCopyOption.REPLACE_EXISTING);
      assertEquals(7, Files.readAllBytes(b)[0]);
      assertThrows(NoSuchFileException.class, () -> Files.delete(a));
      assertThrows(NoSuchFileException.class,
          () -> Files.copy(a, disk, StandardCopyOption.REPLACE_EXISTING));
      assertThrows(FileAlreadyExistsException.class, () -> Files.copy(b, disk));
      IOException tooLong = assertThrows(IOException.class,
          () -> Files.copy(disk, fs.getPath("/snapshots/" + "x".repeat(256))));
      assertTrue(tooLong.getMessage().contains("at most 255"), tooLong.getMessage());
    }
  }

  @Test
  void snapshotAttributes() throws IOException {
    try (FileSystem fs = create("attrs.qcow2", "1M")) {
      Instant before = Instant.now().minusSeconds(1);
      Files.copy(fs.getPath("/disk"), fs.getPath("/snapshots/s"));
      Files.copy(fs.getPath("/disk"), fs.getPath("/snapshots/t"));
      Map<String, Object> a = Files.readAttributes(fs.getPath("/snapshots/t"), "qcow2:*");
      assertEquals("2", a.get("id"));
      FileTime date = (FileTime) a.get("date");
      assertTrue(date.toInstant().isAfter(before) && date.toInstant().isBefore(
          Instant.now().plusSeconds(1)), date.toString());
      assertEquals(Duration.ZERO, a.get("vmClock"));
      assertEquals(0L, a.get("vmStateSize"));
      assertEquals(1L << 20, a.get("diskSize"));
      Qcow2FileAttributes typed = Files.readAttributes(fs.getPath("/snapshots/s"),
          Qcow2FileAttributes.class);
      assertEquals("1", typed.id());
      assertEquals(List.of("s", "t"), typed.snapshots());
      assertFalse(Files.readAttributes(fs.getPath("/disk"), "qcow2:*").containsKey("id"));
      assertThrows(IllegalArgumentException.class,
          () -> Files.readAttributes(fs.getPath("/disk"), "qcow2:id"));
    }
  }

  @Test
  void readOnlyFileSystemsRefuseEveryChange() throws IOException {
    try (FileSystem fs = create("ro.qcow2", "1M")) {
      Files.copy(fs.getPath("/disk"), fs.getPath("/snapshots/s"));
    }
    try (FileSystem fs = FileSystems.newFileSystem(dir.resolve("ro.qcow2"),
        Map.of("accessMode", "readOnly"))) {
      Path disk = fs.getPath("/disk");
      Path s = fs.getPath("/snapshots/s");
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.copy(disk, fs.getPath("/snapshots/new")));
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.copy(s, disk, StandardCopyOption.REPLACE_EXISTING));
      assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(s));
      assertThrows(ReadOnlyFileSystemException.class,
          () -> Files.move(s, fs.getPath("/snapshots/t")));
      assertTrue(Files.exists(s));
    }
  }

  @Test
  @Tag("qemu")
  void qemuSeesWhatWeDid() throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("q.qcow2");
    byte[] first = new byte[3 << 16];
    Arrays.fill(first, (byte) 0x61);
    byte[] second = new byte[5000];
    Arrays.fill(second, (byte) 0x62);
    try (FileSystem fs = create("q.qcow2", "1M")) {
      Path disk = fs.getPath("/disk");
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(first), 4096);
        Files.copy(disk, fs.getPath("/snapshots/mine"));
        ch.write(ByteBuffer.wrap(second), 10000);
      }
    }
    QemuImg.Check c = QemuImg.check(img);
    assertTrue(c.consistent(false), c.output());
    assertTrue(Qemu.img("snapshot", "-l", img.toString()).contains("mine"));
    Path raw = dir.resolve("mine.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=mine", img.toString(), raw.toString());
    byte[] expected = new byte[1 << 20];
    System.arraycopy(first, 0, expected, 4096, first.length);
    assertArrayEquals(expected, Files.readAllBytes(raw));
    // qemu makes one, we revert to it and delete ours.
    Qemu.img("snapshot", "-c", "theirs", img.toString());
    Qemu.io(img, "write -P 0x63 0 64k");
    try (FileSystem fs = FileSystems.newFileSystem(img, Map.of())) {
      Files.copy(fs.getPath("/snapshots/theirs"), fs.getPath("/disk"),
          StandardCopyOption.REPLACE_EXISTING);
      Files.delete(fs.getPath("/snapshots/mine"));
    }
    c = QemuImg.check(img);
    assertTrue(c.consistent(false), c.output());
    System.arraycopy(second, 0, expected, 10000, second.length);
    byte[] now = new byte[1 << 20];
    Path active = dir.resolve("active.raw");
    Qemu.img("convert", "-O", "raw", img.toString(), active.toString());
    now = Files.readAllBytes(active);
    assertArrayEquals(expected, now);
    assertFalse(Qemu.img("snapshot", "-l", img.toString()).contains("mine"));
  }
}
