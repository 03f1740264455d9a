package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Our mkfs: what fsck.fat, fatlabel and mtools say of the volumes it makes. */
class FormatterTest {
  @TempDir Path tmp;

  static Stream<Arguments> layouts() {
    return Stream.of(
        Arguments.of(FatType.FAT12, 1440L << 10, 0, "FLOPPY"),
        Arguments.of(FatType.FAT12, 8L << 20, 8, "A B C"),
        Arguments.of(FatType.FAT16, 5L << 20, 1, "SMALL16"),
        Arguments.of(FatType.FAT16, 300L << 20, 0, "MID16"),
        Arguments.of(FatType.FAT16, 256L << 20, 64, "BIGCLUST16"),
        Arguments.of(FatType.FAT32, 40L << 20, 1, "FAT32 ONE"),
        Arguments.of(FatType.FAT32, 600L << 20, 0, "DEFAULT32"),
        Arguments.of(FatType.FAT32, 1200L << 20, 16, "BIG32"),
        Arguments.of(null, 3L << 20, 0, "AUTO"),
        Arguments.of(null, 700L << 20, 0, null));
  }

  @ParameterizedTest(name = "{0} {1} bytes, {2} sectors/cluster, label {3}")
  @MethodSource("layouts")
  void fsckAndMtoolsAcceptTheVolume(FatType type, long size, int spc, String label)
      throws Exception {
    Path img = tmp.resolve("f.img");
    FatType made;
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      made = FatFormatter.format(ch, size, type, new FormatOptions(label, 0x12345678, spc, 2,
          512));
    }
    if (type != null) {
      assertEquals(type, made);
    }
    assertEquals(size, Files.size(img));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      var store = Files.getFileStore(fs.getPath("/"));
      assertEquals(label == null ? "" : label, store.name());
      assertEquals(made.name().toLowerCase(), store.type());
      int cluster = (Integer) store.getAttribute("fat:clusterSize");
      if (spc != 0) {
        assertEquals(512 * spc, cluster);
      }
      // Only FAT32's root directory takes a cluster on a fresh volume.
      assertEquals(store.getTotalSpace() - (made == FatType.FAT32 ? cluster : 0),
          store.getUnallocatedSpace());
      Files.writeString(fs.getPath("/Hello World.txt"), "hi " + made);
    }
    Tools.assume("fsck.fat", "fatlabel", "mdir", "mtype");
    Tools.assertFsckClean(img);
    String shown = Tools.ok("fatlabel", img.toString()).text().strip();
    assertEquals(label == null ? "" : label, shown.equals("NO NAME") ? "" : shown);
    String dir = Tools.ok("mdir", "-i", img.toString(), "::/").text();
    assertTrue(label == null ? dir.contains("has no label")
        : dir.contains("Volume in drive : is " + label), dir);
    assertEquals("hi " + made, new String(Tools.mtype(img, "/Hello World.txt")));
  }

  /** The label lives in the boot sector and in the root, the same 11 bytes in both. */
  @Test
  void labelIsInTheBootSectorAndTheRoot() throws Exception {
    for (FatType t : FatType.values()) {
      Path img = Volumes.format(tmp.resolve(t + ".img"), t == FatType.FAT32 ? 40L << 20
          : t == FatType.FAT16 ? 8L << 20 : 1L << 20, t, FormatOptions.defaults().withLabel("My Disk").withSectorsPerCluster(1));
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(img)).order(ByteOrder.LITTLE_ENDIAN);
      int labelAt = t == FatType.FAT32 ? 71 : 43;
      assertEquals("MY DISK    ", ascii(b, labelAt, 11));
      long bps = b.getShort(11);
      long rootStart = (b.getShort(14) + b.get(16) * (t == FatType.FAT32 ? b.getInt(36)
          : b.getShort(22))) * bps;
      assertEquals("MY DISK    ", ascii(b, (int) rootStart, 11));
      assertEquals(0x08, b.get((int) rootStart + 11));
    }
  }

  /** With no type asked for, the type and cluster size mkfs.fat picks for a hard-disk size. */
  @ParameterizedTest
  @ValueSource(longs = {1L << 20, 4L << 20, 8L << 20, 9L << 20, 33L << 20, 128L << 20,
      256L << 20, 260L << 20, 512L << 20, 2L << 30})
  void automaticChoiceIsMkfsFats(long size) throws Exception {
    Tools.assume("mkfs.fat");
    Path theirs = tmp.resolve("theirs.img");
    try (RandomAccessFile f = new RandomAccessFile(theirs.toFile(), "rw")) {
      f.setLength(size);
    }
    Tools.ok("mkfs.fat", theirs.toString());
    Path ours = tmp.resolve("ours.img");
    Volumes.format(ours, size, null, FormatOptions.defaults());
    assertEquals(bootField(theirs, 13), bootField(ours, 13), "sectors per cluster");
    try (FileSystem a = FileSystems.newFileSystem(theirs);
        FileSystem b = FileSystems.newFileSystem(ours)) {
      assertEquals(Files.getFileStore(a.getPath("/")).type(),
          Files.getFileStore(b.getPath("/")).type());
    }
  }

  private static int bootField(Path img, int offset) throws Exception {
    try (FileChannel ch = FileChannel.open(img)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      return b.get(0) & 0xff;
    }
  }

  /** One FAT copy and a small root directory: fsck.fat and mtools still agree. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(FatType.class)
  void oneFatCopyAndAFewRootEntries(FatType type) throws Exception {
    Path img = Volumes.format(tmp.resolve("one.img"), type == FatType.FAT32 ? 40L << 20
        : type == FatType.FAT16 ? 8L << 20 : 2L << 20, type,
        new FormatOptions("ONE FAT", 7, 1, 1, 64));
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      // Two entries each (a long name and its alias) and the label: 61 of the 64.
      for (int i = 0; i < 30; i++) {
        Files.writeString(fs.getPath("/file " + i), "n" + i);
      }
    }
    Tools.assume("fsck.fat", "mtype");
    Tools.assertFsckClean(img);
    assertEquals("n29", new String(Tools.mtype(img, "/file 29")));
  }

  @Test
  void impossibleLayoutsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Volumes.format(tmp.resolve("a"),
        1L << 20, FatType.FAT32, FormatOptions.defaults()));
    assertThrows(IllegalArgumentException.class, () -> Volumes.format(tmp.resolve("b"),
        64L << 20, FatType.FAT12, FormatOptions.defaults().withSectorsPerCluster(1)));
    assertThrows(IllegalArgumentException.class, () -> FormatOptions.defaults()
        .withLabel("bad/label"));
    assertThrows(IllegalArgumentException.class, () -> FormatOptions.defaults()
        .withLabel("twelve chars"));
    assertThrows(IllegalArgumentException.class, () -> FormatOptions.defaults()
        .withSectorsPerCluster(3));
  }

  private static String ascii(ByteBuffer b, int at, int len) {
    byte[] out = new byte[len];
    b.get(at, out);
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
