package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.fat.volume.BootSector;
import io.github.qcow2nio.fat.volume.Device;
import io.github.qcow2nio.fat.volume.FatVolume;
import io.github.qcow2nio.fat.volume.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged volumes: cluster-chain loops, links past the end or into free space, sizes beyond the
 * chain, directory loops, directories of absurd length, impossible geometry. Each is a
 * {@link FatException} naming the structure, never a RuntimeException or a hang (the timeout
 * only guards against a hang; nothing here is timed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileVolumeTest {
  @TempDir Path tmp;
  Path img;
  BootSector boot;

  /** FAT16, 512-byte clusters: /a/b (directories), /file (3 clusters), /big (5000 clusters). */
  @BeforeEach
  void volume() throws Exception {
    img = Volumes.format(tmp.resolve("h.img"), 8L << 20, FatType.FAT16,
        FormatOptions.defaults().withSectorsPerCluster(1));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.createDirectories(fs.getPath("/a/b"));
      Files.write(fs.getPath("/a/b/inner"), new byte[100]);
      Files.write(fs.getPath("/file"), new byte[1500]);
      Files.write(fs.getPath("/big"), new byte[5000 * 512]);
    }
    boot = BootSector.parse(read(0, 512), Files.size(img));
  }

  private ByteBuffer read(long pos, int len) throws IOException {
    try (FileChannel ch = FileChannel.open(img)) {
      ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, pos);
      return b.flip();
    }
  }

  private void write(long pos, ByteBuffer b) throws IOException {
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(b, pos);
    }
  }

  private Node node(String... names) throws IOException {
    try (FileChannel ch = FileChannel.open(img)) {
      return FatVolume.mount(new Device(ch, false)).lookup(names);
    }
  }

  /** Sets a FAT16 entry in both copies. */
  private void setFat(long cluster, int value) throws IOException {
    for (int copy = 0; copy < boot.fatCount(); copy++) {
      long pos = (boot.fatStartSector() + copy * boot.fatSize()) * 512 + cluster * 2;
      write(pos, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0,
          (short) value));
    }
  }

  private long entryOffset(Node n) {
    long dir = n.dirCluster() == 0 ? boot.rootDirStartSector() * 512
        : boot.dataStartSector() * 512 + (n.dirCluster() - 2) * 512;
    return dir + n.shortSlot() * 32L;
  }

  private void setEntryCluster(Node n, int cluster) throws IOException {
    write(entryOffset(n) + 26, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN)
        .putShort(0, (short) cluster));
  }

  private void assertFatException(String path) throws IOException {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      FatException e = assertThrows(FatException.class,
          () -> Files.readAllBytes(fs.getPath(path)));
      assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }
  }

  @Test
  void chainLoop() throws Exception {
    long first = node("file").entry().firstCluster();
    setFat(first + 2, (int) first);
    assertFatException("/file");
  }

  @Test
  void chainPastTheEnd() throws Exception {
    setFat(node("file").entry().firstCluster(), (int) boot.clusterCount() + 50);
    assertFatException("/file");
  }

  @Test
  void chainIntoFreeSpace() throws Exception {
    setFat(node("file").entry().firstCluster() + 1, 0);
    assertFatException("/file");
  }

  @Test
  void sizeBeyondTheChain() throws Exception {
    Node n = node("file");
    write(entryOffset(n) + 28, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(0, 0x7fffffff));
    assertFatException("/file");
  }

  @Test
  void directoryLoop() throws Exception {
    Node a = node("a");
    Node b = node("a", "b");
    setEntryCluster(b, (int) a.entry().firstCluster());
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertThrows(FatException.class, () -> Files.list(fs.getPath("/a/b")));
      assertThrows(FatException.class, () -> Files.list(fs.getPath("/a")));
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
        try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
          s.count();
        }
      });
      assertTrue(e.getCause() instanceof FatException, e.toString());
    }
  }

  @Test
  void directoryPointingAtTheRoot() throws Exception {
    setEntryCluster(node("a"), 0);
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertThrows(FatException.class, () -> Files.list(fs.getPath("/")));
    }
  }

  @Test
  void directoryOfAbsurdLength() throws Exception {
    Node big = node("big");
    Node a = node("a");
    setEntryCluster(a, (int) big.entry().firstCluster());
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      FatException e = assertThrows(FatException.class, () -> Files.list(fs.getPath("/a")));
      assertTrue(e.getMessage().contains("65536"), e.getMessage());
    }
  }

  @Test
  void impossibleGeometry() throws Exception {
    byte[] original = read(0, 512).array();
    var edits = java.util.List.of(
        Map.entry(13, new byte[] {0}),                // zero sectors per cluster
        Map.entry(11, new byte[] {0, 0}),             // zero bytes per sector
        Map.entry(16, new byte[] {0}),                // no FAT copies
        Map.entry(14, new byte[] {0, 0}),             // no reserved sectors
        Map.entry(22, new byte[] {1, 0}),             // a FAT too small for the clusters
        Map.entry(19, new byte[] {(byte) 0xff, (byte) 0xff}), // more sectors than the file
        Map.entry(13, new byte[] {3}));              // not a power of two
    for (Map.Entry<Integer, byte[]> e : edits) {
      byte[] b = original.clone();
      System.arraycopy(e.getValue(), 0, b, e.getKey(), e.getValue().length);
      write(0, ByteBuffer.wrap(b));
      assertThrows(FatException.class, () -> FileSystems.newFileSystem(img).close(),
          "boot sector byte " + e.getKey());
    }
  }

  /**
   * A FAT32 boot sector claiming 2^27 clusters on a (sparse) file big enough for them: the FAT
   * would need 512 MiB of memory, which is refused before anything is allocated.
   */
  @Test
  void aHugeFatIsRefusedBeforeAllocation() throws Exception {
    Path big = tmp.resolve("huge.img");
    Volumes.format(big, 40L << 20, FatType.FAT32);
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ch.read(b, 0);
      b.put(13, (byte) 1).putInt(32, 1 << 27).putInt(36, 1 << 20);
      ch.write(b.clear(), 0);
      ch.write(ByteBuffer.allocate(1), (1L << 36) - 1);
    }
    FatException e = assertThrows(FatException.class, () -> FileSystems.newFileSystem(big));
    assertTrue(e.getMessage().contains("memory"), e.getMessage());
  }

  /** A long name ".." (checksum intact) would make a walk loop: the short name stands in. */
  @Test
  void longNameThatIsDotDot() throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.write(fs.getPath("/a long name"), new byte[10]);
    }
    Node n = node("a long name");
    ByteBuffer lfn = read(entryOffset(n) - 32L * (n.shortSlot() - n.firstSlot()), 32);
    int[] at = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    for (int i = 0; i < at.length; i++) {
      lfn.putChar(at[i], i < 2 ? '.' : i == 2 ? '\0' : '\uffff');
    }
    write(entryOffset(n) - 32L * (n.shortSlot() - n.firstSlot()), lfn);
    try (FileSystem fs = FileSystems.newFileSystem(img);
        Stream<Path> s = Files.walk(fs.getPath("/"))) {
      java.util.List<String> all = s.map(Path::toString).toList();
      assertTrue(all.contains("/ALONGN~1"), all.toString());
      assertTrue(all.size() < 10, all.toString());
    }
  }

  /** Seeded random damage to the metadata: any outcome but an IOException is a failure. */
  @Test
  void randomDamageIsAnIoExceptionOrReadable() throws Exception {
    int metadata = (int) ((boot.dataStartSector() + 40) * 512);
    byte[] clean = read(0, metadata).array();
    Random r = new Random(11);
    for (int round = 0; round < 150; round++) {
      byte[] b = clean.clone();
      for (int k = 0; k < 1 + r.nextInt(8); k++) {
        int at = r.nextInt(metadata);
        b[at] = (byte) r.nextInt(256);
      }
      write(0, ByteBuffer.wrap(b));
      try (FileSystem fs = new FatFileSystemProvider().newFileSystem(img,
          Map.of("accessMode", "readOnly"))) {
        try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
          s.forEach(p -> {
            try {
              if (Files.isRegularFile(p) && Files.size(p) < 100_000) {
                Files.readAllBytes(p);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
        }
      } catch (IOException | UncheckedIOException | UnsupportedOperationException expected) {
        // A FAT error, or no FAT at all after the damage.
      } catch (RuntimeException e) {
        fail("round " + round + ": " + e, e);
      }
    }
  }
}
