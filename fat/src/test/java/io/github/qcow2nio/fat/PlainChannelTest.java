package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.fat.volume.Device;
import io.github.qcow2nio.fat.volume.FatVolume;
import io.github.qcow2nio.fat.volume.FileHandle;
import io.github.qcow2nio.fat.volume.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume on a channel that is only a SeekableByteChannel (as zipfs and other providers give):
 * positioned reads and writes under one lock, from several threads. And a partitioned disk is
 * not taken for a FAT volume even when its partition holds one.
 */
class PlainChannelTest {
  @TempDir Path tmp;

  /** Hides the FileChannel behind the plain interface. */
  private record Plain(SeekableByteChannel ch) implements SeekableByteChannel {
    public int read(ByteBuffer dst) throws IOException {
      return ch.read(dst);
    }

    public int write(ByteBuffer src) throws IOException {
      return ch.write(src);
    }

    public long position() throws IOException {
      return ch.position();
    }

    public SeekableByteChannel position(long p) throws IOException {
      ch.position(p);
      return this;
    }

    public long size() throws IOException {
      return ch.size();
    }

    public SeekableByteChannel truncate(long size) throws IOException {
      ch.truncate(size);
      return this;
    }

    public boolean isOpen() {
      return ch.isOpen();
    }

    public void close() throws IOException {
      ch.close();
    }
  }

  @Test
  void formatAndWriteThroughAPlainChannelFromManyThreads() throws Exception {
    Path img = tmp.resolve("plain.img");
    try (SeekableByteChannel ch = new Plain(FileChannel.open(img, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE))) {
      FatFormatter.format(ch, 40L << 20, FatType.FAT32, FormatOptions.defaults()
          .withSectorsPerCluster(1));
    }
    try (Device d = new Device(new Plain(FileChannel.open(img, StandardOpenOption.READ,
        StandardOpenOption.WRITE)), true)) {
      FatVolume v = FatVolume.mount(d);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 4; t++) {
        int id = t;
        threads.add(new Thread(() -> {
          try {
            for (int i = 0; i < 10; i++) {
              Node n = v.create(new String[] {"thread " + id + " file " + i}, false,
                  Instant.now());
              FileHandle h = v.open(n, "f");
              byte[] b = new byte[2000 + 100 * i];
              java.util.Arrays.fill(b, (byte) (id * 16 + i));
              v.io().write(h, 0, ByteBuffer.wrap(b), Instant.now());
              ByteBuffer back = ByteBuffer.allocate(b.length);
              v.io().read(h, 0, back);
              if (!java.util.Arrays.equals(b, back.array())) {
                throw new AssertionError("thread " + id + " file " + i + " reads back wrong");
              }
              v.close(h);
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
      v.flush();
    }
    try (var fs = FileSystems.newFileSystem(img)) {
      byte[] b = new byte[2000 + 900];
      java.util.Arrays.fill(b, (byte) (3 * 16 + 9));
      assertArrayEquals(b, Files.readAllBytes(fs.getPath("/thread 3 file 9")));
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }

  @Test
  void aPartitionedDiskIsNotFat() throws Exception {
    Tools.assume("sfdisk", "mkfs.fat");
    Path disk = tmp.resolve("disk.img");
    try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(16L << 20);
    }
    Path script = tmp.resolve("layout");
    Files.writeString(script, "label: dos\nstart=2048, type=e\n");
    Tools.Result r = Tools.run("sh", "-c", "sfdisk '" + disk + "' < '" + script + "'");
    assertEquals(0, r.exit(), r.err());
    // mkfs.fat formats the partition's bytes, which are then put in place on the disk.
    Path part = tmp.resolve("part.img");
    try (var f = new java.io.RandomAccessFile(part.toFile(), "rw")) {
      f.setLength(7L << 20);
    }
    Tools.ok("mkfs.fat", "-F", "16", "-s", "1", part.toString());
    try (FileChannel in = FileChannel.open(part); FileChannel out = FileChannel.open(disk,
        StandardOpenOption.WRITE)) {
      in.transferTo(0, in.size(), out.position(2048L * 512));
    }
    assertThrows(UnsupportedOperationException.class,
        () -> new FatFileSystemProvider().newFileSystem(disk, Map.of()));
    try (var fs = FileSystems.newFileSystem(part)) {
      assertFalse(fs.isReadOnly());
      assertEquals("fat16", Files.getFileStore(fs.getPath("/")).type());
    }
  }
}
