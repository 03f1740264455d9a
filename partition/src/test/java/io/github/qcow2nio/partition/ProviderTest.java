package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The partition: file system over disks on the default file system, jimfs and zip. */
class ProviderTest {
  static final int MIB = 1 << 20;
  static final UUID LINUX = UUID.fromString("0FC63DAF-8483-4772-8E79-3D69D8477DE4");

  @TempDir
  Path dir;

  static Path gptDisk(Path file, int size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      PartitionTables.createGpt(ch, size, 512, List.of(
          PartitionSpec.of(MIB, "efi").withName("EFI"),
          PartitionSpec.of(2 * MIB, "linux").withName("root").withAttributes(1L << 60),
          PartitionSpec.rest("msdata")));
    }
    return file;
  }

  @Test
  void listsPartitionsWithTheirAttributes() throws IOException {
    Path disk = gptDisk(dir.resolve("d.img"), 8 * MIB);
    try (FileSystem fs = FileSystems.newFileSystem(disk)) {
      assertTrue(fs instanceof PartitionFileSystem);
      assertFalse(fs.isReadOnly());
      try (Stream<Path> s = Files.list(fs.getPath("/"))) {
        assertEquals(List.of("/1", "/2", "/3"), s.map(Path::toString).toList());
      }
      Path p2 = fs.getPath("/2");
      Map<String, Object> a = Files.readAttributes(p2, "partition:*");
      assertEquals(2, a.get("number"));
      assertEquals("gpt", a.get("scheme"));
      assertEquals("primary", a.get("header"));
      assertEquals(512, a.get("sectorSize"));
      assertEquals(4096L, a.get("firstLba")); // 1 MiB partition 1 at LBA 2048, then 1 MiB aligned
      assertEquals(4096L + 4096 - 1, a.get("lastLba"));
      assertEquals(4096L * 512, a.get("start"));
      assertEquals(2L * MIB, a.get("size"));
      assertEquals(LINUX, a.get("typeGuid"));
      assertEquals(LINUX.toString().toUpperCase(), a.get("type"));
      assertEquals("root", a.get("name"));
      assertEquals(1L << 60, a.get("attributes"));
      assertEquals(false, a.get("bootable"));
      assertNull(a.get("mbrType"));
      assertTrue(a.get("uniqueGuid") instanceof UUID);
      assertEquals(List.of(), a.get("problems"));
      assertEquals(2L * MIB, Files.size(p2));
      assertTrue(Files.isRegularFile(p2));
      assertTrue(Files.isDirectory(fs.getPath("/")));
      assertEquals(Map.of("size", 2L * MIB), Files.readAttributes(p2, "size"));
      PartitionFileAttributes typed = Files.readAttributes(p2, PartitionFileAttributes.class);
      assertEquals("root", typed.partition().orElseThrow().name());
      assertEquals(typed.table().diskId(), ((PartitionFileSystem) fs).table().diskId());
      BasicFileAttributes basic = Files.readAttributes(p2, BasicFileAttributes.class);
      assertEquals(Files.getLastModifiedTime(disk), basic.lastModifiedTime());
      Map<String, Object> root = Files.readAttributes(fs.getPath("/"), "partition:*");
      assertNull(root.get("number"));
      assertEquals("gpt", root.get("scheme"));
      assertThrows(IllegalArgumentException.class,
          () -> Files.readAttributes(p2, "partition:nonsense"));
      assertThrows(NoSuchFileException.class, () -> Files.size(fs.getPath("/4")));
      assertFalse(Files.exists(fs.getPath("/0")));
      assertFalse(Files.exists(fs.getPath("/1/x")));
    }
  }

  @Test
  void uriNamesTheDiskFileAndThePath() throws IOException {
    Path disk = gptDisk(dir.resolve("u.img"), 8 * MIB);
    URI fsUri = URI.create("partition:" + disk.toUri());
    try (FileSystem fs = FileSystems.newFileSystem(fsUri, Map.of())) {
      Path p1 = fs.getPath("/1");
      assertEquals(URI.create("partition:" + disk.toUri() + "!/1"), p1.toUri());
      assertEquals(p1, Path.of(p1.toUri()));
      assertSame(fs, FileSystems.getFileSystem(fsUri));
      assertSame(fs, FileSystems.getFileSystem(p1.toUri()));
      assertThrows(FileSystemAlreadyExistsException.class,
          () -> FileSystems.newFileSystem(fsUri, Map.of()));
      assertThrows(FileSystemAlreadyExistsException.class,
          () -> FileSystems.newFileSystem(disk));
      assertEquals(fsUri.toString(), fs.toString());
    }
    assertThrows(java.nio.file.FileSystemNotFoundException.class,
        () -> FileSystems.getFileSystem(fsUri));
    try (FileSystem again = FileSystems.newFileSystem(fsUri, Map.of("accessMode", "readOnly"))) {
      assertTrue(again.isReadOnly());
    }
  }

  /** URIs cut at the last "!/": a partition of a qcow2 disk, itself "qcow2:...!/disk". */
  @Test
  void nestedUriCutsAtTheLastSeparator() throws IOException {
    Path image = dir.resolve("n.qcow2");
    try (FileSystem q = FileSystems.newFileSystem(URI.create("qcow2:" + image.toUri()),
        Map.of("create", "true", "size", Integer.toString(8 * MIB)));
        FileChannel ch = FileChannel.open(q.getPath("/disk"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      PartitionTables.createMbr(ch, 8 * MIB, 512,
          List.of(PartitionSpec.of(MIB, "83"), PartitionSpec.rest("83")));
    }
    try (FileSystem q = FileSystems.newFileSystem(image);
        FileSystem fs = FileSystems.newFileSystem(q.getPath("/disk"))) {
      URI uri = fs.getPath("/2").toUri();
      assertEquals("partition:qcow2:" + image.toUri() + "!/disk!/2", uri.toString());
      assertEquals(fs.getPath("/2"), Path.of(uri));
      assertSame(fs, FileSystems.getFileSystem(
          URI.create("partition:qcow2:" + image.toUri() + "!/disk")));
      assertEquals(6L * MIB, Files.size(Path.of(uri))); // from 2 MiB to the end
    }
  }

  @Test
  void jimfsDiskIsWritableThroughItsPartitions() throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path disk = jimfs.getPath("/disk.img");
      try (SeekableByteChannel ch = Files.newByteChannel(disk, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        PartitionTables.createMbr(ch, 8 * MIB, 512, List.of(PartitionSpec.of(MIB, "83"),
            PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB, "83"), PartitionSpec.of(MIB, "83"),
            PartitionSpec.rest("7")));
      }
      byte[] payload = "written through /5".getBytes();
      long start5;
      try (FileSystem fs = FileSystems.newFileSystem(disk)) {
        assertFalse(fs.isReadOnly());
        start5 = (Long) Files.getAttribute(fs.getPath("/5"), "partition:start");
        try (FileChannel ch = FileChannel.open(fs.getPath("/5"), StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(payload), 1000);
          ch.force(true);
        }
      }
      byte[] all = Files.readAllBytes(disk);
      byte[] landed = new byte[payload.length];
      System.arraycopy(all, (int) start5 + 1000, landed, 0, payload.length);
      assertArrayEquals(payload, landed);
    }
  }

  /** zipfs: the disk is an entry of a zip file; read it through the partition file system. */
  @Test
  void diskInsideAZip() throws IOException {
    Path raw = gptDisk(dir.resolve("z.img"), 8 * MIB);
    byte[] marker = "zip marker".getBytes();
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(marker), 4L * MIB - marker.length); // the end of /2
    }
    Path zip = dir.resolve("disks.zip");
    try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.copy(raw, z.getPath("/disk.img"));
    }
    try (FileSystem z = FileSystems.newFileSystem(zip);
        FileSystem fs = FileSystems.newFileSystem(z.getPath("/disk.img"),
            Map.of("accessMode", "readOnly"))) {
      assertEquals("partition", fs.provider().getScheme());
      assertTrue(fs.isReadOnly());
      byte[] p2 = ToolDisks.readAll(fs.getPath("/2"));
      byte[] tail = java.util.Arrays.copyOfRange(p2, p2.length - marker.length, p2.length);
      assertArrayEquals(marker, tail);
      assertTrue(fs.getPath("/2").toUri().toString().startsWith("partition:jar:"));
    }
  }

  @Test
  void channelsAreBoundedByThePartition() throws IOException {
    Path disk = gptDisk(dir.resolve("b.img"), 8 * MIB);
    byte[] before = Files.readAllBytes(disk);
    try (FileSystem fs = FileSystems.newFileSystem(disk);
        FileChannel ch = FileChannel.open(fs.getPath("/1"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      long size = ch.size();
      assertEquals(MIB, size);
      ByteBuffer two = ByteBuffer.allocate(2);
      FileSystemException crossing = assertThrows(FileSystemException.class,
          () -> ch.write(two, size - 1));
      assertTrue(crossing.getMessage().contains("end"), crossing.getMessage());
      assertEquals(2, two.remaining(), "nothing of a refused write is consumed");
      assertThrows(IOException.class, () -> ch.write(ByteBuffer.allocate(1), size));
      assertEquals(1, ch.write(ByteBuffer.wrap(new byte[] {42}), size - 1));
      ByteBuffer big = ByteBuffer.allocate(10);
      assertEquals(1, ch.read(big, size - 1), "a read stops at the partition's end");
      assertEquals(42, big.get(0));
      assertEquals(-1, ch.read(ByteBuffer.allocate(1), size));
      ch.position(size + 5);
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
      assertThrows(IOException.class, () -> ch.write(ByteBuffer.allocate(1)));
      assertThrows(IOException.class, () -> ch.truncate(size - 1));
      assertSame(ch, ch.truncate(size + 1));
      assertEquals(size, ch.size());
      ch.force(true);
      assertThrows(IOException.class, () -> Files.newOutputStream(fs.getPath("/1")));
      assertThrows(UnsupportedOperationException.class,
          () -> Files.newByteChannel(fs.getPath("/1"), StandardOpenOption.APPEND));
      assertThrows(IOException.class, () -> Files.delete(fs.getPath("/1")));
      assertThrows(IOException.class, () -> Files.createFile(fs.getPath("/9")));
      assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/d")));
      try (OutputStream out = Files.newOutputStream(fs.getPath("/1"),
          StandardOpenOption.WRITE)) {
        out.write(7);
      }
    }
    byte[] after = Files.readAllBytes(disk);
    long start1 = 2048L * 512;
    assertEquals(42, after[(int) (start1 + MIB - 1)]);
    assertEquals(7, after[(int) start1]);
    after[(int) (start1 + MIB - 1)] = before[(int) (start1 + MIB - 1)];
    after[(int) start1] = before[(int) start1];
    assertArrayEquals(before, after, "only the two bytes written changed");
  }

  @Test
  void readOnlyEnvWritesNothing() throws IOException {
    Path disk = gptDisk(dir.resolve("r.img"), 8 * MIB);
    byte[] before = Files.readAllBytes(disk);
    try (FileSystem fs = FileSystems.newFileSystem(disk, Map.of("accessMode", "readOnly"))) {
      assertTrue(fs.isReadOnly());
      assertThrows(ReadOnlyFileSystemException.class,
          () -> FileChannel.open(fs.getPath("/2"), StandardOpenOption.WRITE));
      try (FileChannel ch = FileChannel.open(fs.getPath("/2"))) {
        assertThrows(java.nio.channels.NonWritableChannelException.class,
            () -> ch.write(ByteBuffer.allocate(1), 0));
      }
      assertThrows(IOException.class,
          () -> fs.provider().checkAccess(fs.getPath("/2"), java.nio.file.AccessMode.WRITE));
    }
    assertArrayEquals(before, Files.readAllBytes(disk));
  }

  @Test
  void envIsChecked() throws IOException {
    Path disk = gptDisk(dir.resolve("e.img"), 8 * MIB);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(disk, Map.of("bogus", 1)));
    assertTrue(e.getMessage().contains("accessMode"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> FileSystems.newFileSystem(disk, Map.of("sectorSize", 1000)));
    Path other = Files.write(dir.resolve("not-a-disk"), new byte[4096]);
    // Keys of another provider on a file that is not ours: left to the next provider.
    assertThrows(UnsupportedOperationException.class,
        () -> new PartitionFileSystemProvider().newFileSystem(other, Map.of("bogus", 1)));
    assertThrows(ProviderNotFoundException.class, () -> FileSystems.newFileSystem(other));
    assertThrows(UnsupportedOperationException.class,
        () -> new PartitionFileSystemProvider().newFileSystem(dir.resolve("missing"), Map.of()));
    assertThrows(UnsupportedOperationException.class,
        () -> new PartitionFileSystemProvider().newFileSystem(dir, Map.of()));
  }

  @Test
  void closingTheFileSystemClosesItsChannels() throws IOException {
    Path disk = gptDisk(dir.resolve("c.img"), 8 * MIB);
    FileSystem fs = FileSystems.newFileSystem(disk);
    FileChannel ch = FileChannel.open(fs.getPath("/1"));
    fs.close();
    assertFalse(ch.isOpen());
    assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1), 0));
    assertThrows(ClosedFileSystemException.class, () -> Files.size(fs.getPath("/1")));
    fs.close();
  }
}
