package io.github.qcow2nio.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.ext4.testing.Golden;
import io.github.qcow2nio.ext4.testing.ImageBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Corrupted file systems end in an IOException naming the structure, never in a hang, an
 * unchecked exception or an allocation the bytes ask for. Each case aims at one structure of a
 * golden image; the last flips random bytes of the metadata and reads everything.
 */
class HostileImageTest {
  /** A hang guard, far above the milliseconds each case takes. */
  private static final Duration GUARD = Duration.ofSeconds(20);

  private FileSystem jimfs;

  @BeforeEach
  void setUp() {
    jimfs = Jimfs.newFileSystem(Configuration.unix());
  }

  @AfterEach
  void tearDown() throws IOException {
    jimfs.close();
  }

  private static long ino(String image, String path) {
    return Golden.manifest(image).stream().filter(e -> e.path().equals(path)).findFirst()
        .orElseThrow().ino();
  }

  private FileSystem open(ImageBytes img) throws IOException {
    Path p = jimfs.getPath("/img-" + System.nanoTime());
    Files.write(p, img.bytes());
    return FileSystems.newFileSystem(p);
  }

  interface Action {
    void run(FileSystem fs) throws IOException;
  }

  /** Opening and then {@code action} ends in an Ext4Exception whose message says {@code what}. */
  private void assertCorrupt(ImageBytes img, String what, Action action) {
    IOException e = assertTimeoutPreemptively(GUARD, () -> {
      try (FileSystem fs = open(img)) {
        action.run(fs);
      } catch (IOException x) {
        return x;
      } catch (UncheckedIOException x) {
        return x.getCause();
      } catch (DirectoryIteratorException x) {
        return x.getCause();
      }
      return null;
    });
    if (e == null) {
      fail("no IOException for " + what);
    }
    assertTrue(e.getMessage().contains(what), "message '" + e.getMessage() + "' names " + what);
  }

  private static ImageBytes golden(String name) {
    return new ImageBytes(Golden.image(name));
  }

  @Test
  void extentPastTheEnd() {
    ImageBytes img = golden("ext4-1k");
    long frag = ino("ext4-1k", "/frag");
    img.put32(img.iBlock(frag) + 12 + 4, 0x7FFF_FFF0L);
    assertCorrupt(img, "extent tree root of inode " + frag,
        fs -> Files.readAllBytes(fs.getPath("/frag")));
    ImageBytes leafy = golden("ext4-1k");
    long hello = ino("ext4-1k", "/hello.txt");
    leafy.put32(leafy.iBlock(hello) + 12 + 8, 0xFFFF_FF00L);
    assertCorrupt(leafy, "within blocks", fs -> Files.readAllBytes(fs.getPath("/hello.txt")));
  }

  @Test
  void extentTreeLoop() {
    ImageBytes img = golden("ext4-1k");
    long frag = ino("ext4-1k", "/frag");
    long root = img.iBlock(frag);
    assertEquals(1, img.u16(root + 6), "the golden /frag has a depth-1 tree");
    long leaf = img.u32(root + 12 + 4);
    long at = leaf * img.blockSize();
    // the leaf claims to be an index whose first entry is itself
    img.put16(at + 2, 1).put16(at + 6, 1).put32(at + 12 + 4, leaf).put16(at + 12 + 8, 0);
    assertCorrupt(img, "a loop", fs -> Files.readAllBytes(fs.getPath("/frag")));
  }

  /** Found by the fuzzer: an index root with no entries made the lookup index an empty array. */
  @Test
  void anIndexNodeWithoutEntries() {
    ImageBytes img = golden("ext4-1k");
    long frag = ino("ext4-1k", "/frag");
    assertEquals(1, img.u16(img.iBlock(frag) + 6), "the golden /frag has a depth-1 tree");
    img.put16(img.iBlock(frag) + 2, 0);
    assertCorrupt(img, "with at least one entry, found none",
        fs -> Files.readAllBytes(fs.getPath("/frag")));
  }

  @Test
  void hugeCountsAndDepths() {
    ImageBytes img = golden("ext4-1k");
    long frag = ino("ext4-1k", "/frag");
    img.put16(img.iBlock(frag) + 2, 0xFFFF);
    assertCorrupt(img, "extent header entries 65535",
        fs -> Files.readAllBytes(fs.getPath("/frag")));
    ImageBytes deep = golden("ext4-1k");
    deep.put16(deep.iBlock(frag) + 6, 6);
    assertCorrupt(deep, "depth <= 5", fs -> Files.readAllBytes(fs.getPath("/frag")));
    ImageBytes big = golden("ext4-1k");
    long hello = ino("ext4-1k", "/hello.txt");
    big.put32(big.inode(hello) + 0x6C, 0x7FFF_FFFFL);
    assertCorrupt(big, "a size its block map can address",
        fs -> Files.newByteChannel(fs.getPath("/hello.txt")).close());
    ImageBytes blocks = golden("ext4-1k");
    blocks.put32(ImageBytes.SB + 0x4, 0x7FFF_FFFFL);
    assertCorrupt(blocks, "a block count the device holds", fs -> { });
  }

  @Test
  void directoryRecLenZeroAndBadInodeNumbers() {
    ImageBytes img = golden("ext4-1k");
    long dir = ino("ext4-1k", "/deep");
    long block = img.firstExtentBlock(dir);
    img.put16(block + 4, 0);
    assertCorrupt(img, "rec_len", fs -> Files.list(fs.getPath("/deep")).count());
    ImageBytes past = golden("ext4-1k");
    long first = past.firstExtentBlock(dir);
    int dotLen = past.u16(first + 4);
    int dotDotLen = past.u16(first + dotLen + 4);
    past.put32(first + dotLen + dotDotLen, 0x7FFF_0000L);
    assertCorrupt(past, "an entry naming inode 1..", fs -> Files.list(fs.getPath("/deep"))
        .count());
    ImageBytes root = golden("ext4-1k");
    root.put16(root.inode(2), 0x81A4);
    assertCorrupt(root, "root inode", fs -> Files.list(fs.getPath("/")).count());
  }

  @Test
  void directoryLoop() {
    ImageBytes img = golden("ext4-1k");
    long d0 = ino("ext4-1k", "/deep/d0");
    long block = img.firstExtentBlock(d0);
    int dotLen = img.u16(block + 4);
    int dotDotLen = img.u16(block + dotLen + 4);
    // /deep/d0/d1 now names /deep again
    img.put32(block + dotLen + dotDotLen, ino("ext4-1k", "/deep"));
    assertCorrupt(img, "loop back to inode", fs -> {
      try (Stream<Path> s = Files.walk(fs.getPath("/deep"))) {
        s.count();
      }
    });
  }

  @Test
  void groupDescriptorsAndInodeTablesPastTheEnd() {
    ImageBytes img = golden("ext4-1k");
    img.put32(img.descriptor(0) + 8, 0x00FF_FFFFL);
    assertCorrupt(img, "group descriptor 0", fs -> { });
    // a device cut after the superblock: the descriptor table (and all else) is past its end
    ImageBytes cut = new ImageBytes(java.util.Arrays.copyOf(Golden.image("ext4-1k"), 2048));
    assertCorrupt(cut, "the device has 2048", fs -> { });
    // the second group's inode table starts past the last block
    ImageBytes second = golden("ext2-1k");
    if (second.u32(ImageBytes.SB + 0x4) > second.u32(ImageBytes.SB + 0x20)) {
      second.put32(second.descriptor(1) + 8, second.u32(ImageBytes.SB + 0x4) - 1);
      assertCorrupt(second, "group descriptor 1", fs -> {
        try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
          s.forEach(p -> {
            try {
              Files.readAttributes(p, "unix:ino");
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
        }
      });
    }
  }

  @Test
  void badSymlinkAndXattrs() {
    ImageBytes img = golden("ext4-1k");
    long fast = ino("ext4-1k", "/links/fast");
    img.put32(img.inode(fast) + 4, 100_000);
    assertCorrupt(img, "a target shorter than 4096",
        fs -> Files.readSymbolicLink(fs.getPath("/links/fast")));
    ImageBytes x = golden("ext4-1k");
    long mid = ino("ext4-1k", "/mid.bin");
    long acl = x.u32(x.inode(mid) + 0x68);
    x.put32(acl * x.blockSize(), 0x1234);
    assertCorrupt(x, "extended attribute block", fs -> Files.getFileAttributeView(
        fs.getPath("/mid.bin"), UserDefinedFileAttributeView.class).list());
    ImageBytes extra = golden("ext4-1k");
    extra.put16(extra.inode(ino("ext4-1k", "/hello.txt")) + 0x80, 1000);
    assertCorrupt(extra, "i_extra_isize", fs -> Files.size(fs.getPath("/hello.txt")));
  }

  @Test
  void indirectBlockPastTheEndAndSelfReference() throws Exception {
    ImageBytes img = golden("ext2-1k");
    long mid = ino("ext2-1k", "/mid.bin");
    img.put32(img.iBlock(mid) + 12 * 4, 0x7FFF_FFF0L);
    assertCorrupt(img, "a block number below", fs -> Files.readAllBytes(fs.getPath("/mid.bin")));
    // a double-indirect block naming itself: the depth is fixed, so this reads garbage, finitely
    ImageBytes self = golden("ext2-1k");
    long dind = self.u32(self.iBlock(mid) + 13 * 4);
    self.put32(dind * self.blockSize(), dind);
    byte[] read = assertTimeoutPreemptively(GUARD, () -> {
      try (FileSystem fs = open(self)) {
        return Files.readAllBytes(fs.getPath("/mid.bin"));
      }
    });
    assertEquals(300 * 1024, read.length);
  }

  @Test
  void featuresRefusedByName() throws Exception {
    for (int[] bitAndName : new int[][] {{0x8}, {0x10000}, {0x80000}, {0x1}}) {
      ImageBytes img = golden("ext4-1k");
      img.put32(ImageBytes.SB + 0x60, img.u32(ImageBytes.SB + 0x60) | bitAndName[0]);
      String name = switch (bitAndName[0]) {
        case 0x8 -> "journal_dev";
        case 0x10000 -> "encrypt";
        case 0x1 -> "compression";
        default -> "0x80000";
      };
      Ext4UnsupportedFeatureException e = assertThrows(Ext4UnsupportedFeatureException.class,
          () -> open(img).close());
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  @Test
  void dirtyJournalIsReportedAndRead() throws Exception {
    ImageBytes img = golden("ext3-journal");
    img.put32(ImageBytes.SB + 0x60, img.u32(ImageBytes.SB + 0x60) | 0x4);
    try (FileSystem fs = open(img)) {
      assertTrue(((Ext4FileSystem) fs).needsRecovery());
      assertEquals(true, Files.getFileStore(fs.getPath("/")).getAttribute("needsRecovery"));
      assertEquals("hello, golden ext4\n", Files.readString(fs.getPath("/hello.txt")));
      assertEquals("ext3", Files.getFileStore(fs.getPath("/")).type());
    }
    try (FileSystem fs = open(golden("ext3-journal"))) {
      assertFalse(((Ext4FileSystem) fs).needsRecovery());
    }
  }

  /**
   * Random bytes of the metadata flipped: whatever the reader meets, it ends in an IOException
   * (perhaps wrapped by the NIO stream API) or reads on; any other exception or error escapes
   * and fails the test. Both outcomes must occur, or the flips did not reach the metadata.
   */
  @Test
  void randomCorruptionEndsInIoExceptionsOnly() {
    int[] outcomes = new int[2];
    for (String name : List.of("ext4-1k", "ext2-1k", "ext4-inline")) {
      byte[] pristine = Golden.image(name);
      for (int seed = 0; seed < 25; seed++) {
        Random r = new Random(seed * 31L + name.hashCode());
        byte[] b = pristine.clone();
        int span = Math.min(b.length, 400 * 1024);
        for (int i = 0; i < 40; i++) {
          b[1024 + r.nextInt(span - 1024)] ^= (byte) (1 << r.nextInt(8));
        }
        int s = seed;
        boolean clean = assertTimeoutPreemptively(GUARD, () -> readEverything(b),
            name + " seed " + s);
        outcomes[clean ? 0 : 1]++;
      }
    }
    assertTrue(outcomes[0] > 0 && outcomes[1] > 0, "read cleanly / met corruption: "
        + outcomes[0] + " / " + outcomes[1]);
  }

  /**
   * The start and the end of a file. A corrupt size may claim terabytes, as a real sparse file
   * may: reading all of it is the caller's choice, not the reader's to refuse.
   */
  private static void readSome(Path p) throws IOException {
    try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(p)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 14);
      ch.read(b);
      b.clear();
      ch.position(Math.max(0, ch.size() - b.capacity())).read(b);
    }
  }

  /** Reads every name, attribute, link and file; true if no IOException came of it. */
  private boolean readEverything(byte[] bytes) throws IOException {
    Path p = jimfs.getPath("/fuzz-" + System.nanoTime());
    Files.write(p, bytes);
    boolean clean = true;
    try (FileSystem fs = FileSystems.newFileSystem(p)) {
      List<Path> all;
      try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
        all = s.toList();
      }
      for (Path each : all) {
        try {
          if (Files.isSymbolicLink(each)) {
            Files.readSymbolicLink(each);
          } else if (Files.isRegularFile(each, LinkOption.NOFOLLOW_LINKS)) {
            readSome(each);
          }
          Files.readAttributes(each, "unix:*", LinkOption.NOFOLLOW_LINKS);
          Files.getFileAttributeView(each, UserDefinedFileAttributeView.class,
              LinkOption.NOFOLLOW_LINKS).list();
        } catch (IOException e) {
          clean = false;
        }
      }
    } catch (IOException | UncheckedIOException | UnsupportedOperationException
        | java.nio.file.ProviderNotFoundException e) {
      // corrupt structures, or a superblock no longer ext4 (no provider takes the file)
      clean = false;
    }
    return clean;
  }
}
