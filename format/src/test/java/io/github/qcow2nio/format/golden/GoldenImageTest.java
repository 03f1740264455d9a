package io.github.qcow2nio.format.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.testing.Golden;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * Reads every golden image (made by qemu-img/qemu-io, see golden/README.md) and checks the whole
 * disk against the SHA-256 of qemu-img's raw conversion, plus spot reads whose expected bytes come
 * from the qemu-io commands that wrote them. Needs no qemu-img.
 */
@Tag("qemu")
class GoldenImageTest {
  @TempDir static Path dir;
  static Map<String, String> sums;

  @BeforeAll
  static void unpack() throws Exception {
    Golden.unpack(dir);
    sums = Golden.sums();
  }

  /** {@code length} bytes at {@code offset} all equal {@code value}. */
  record Spot(long offset, int length, int value) {}

  static final Map<String, List<Spot>> SPOTS = Map.ofEntries(
      Map.entry("v2.qcow2", List.of(new Spot(0, 2048, 0x11), new Spot(2048, 10, 0),
          new Spot(100 * 1024, 3000, 0x12), new Spot(100 * 1024 + 3000, 1, 0),
          new Spot(255 * 1024, 1024, 0x13))),
      Map.entry("v3-default.qcow2", List.of(new Spot(0, 70000, 0x21), new Spot(70000, 100, 0),
          new Spot(700 * 1024, 4096, 0x22), new Spot(1020 * 1024, 4096, 0x23))),
      Map.entry("c512.qcow2", List.of(new Spot(999, 1, 0), new Spot(1000, 3000, 0x31),
          new Spot(31 * 1024, 2048, 0x34), new Spot(64 * 1024, 512, 0x32),
          new Spot(262143, 1, 0x33), new Spot(262142, 1, 0))),
      Map.entry("extl2.qcow2", List.of(new Spot(0, 512, 0), new Spot(512, 512, 0x41),
          new Spot(1024, 476, 0), new Spot(1500, 100, 0x42), new Spot(1600, 100, 0),
          new Spot(4096, 2048, 0x43), new Spot(6144, 1024, 0), new Spot(7168, 5120, 0x43),
          new Spot(40 * 1024, 2048, 0), new Spot(100 * 1024, 512, 0x44))),
      Map.entry("compressed-zlib.qcow2", compressedSpots()),
      Map.entry("compressed-zstd.qcow2", compressedSpots()),
      Map.entry("chain-mid.qcow2", List.of(new Spot(0, 2048, 0x61), new Spot(2048, 1024, 0x62),
          new Spot(3072, 1024, 0x61), new Spot(4100, 4092, 0x61), new Spot(8192, 1024, 0),
          new Spot(200 * 1024, 512, 0x63))),
      Map.entry("chain-top.qcow2", List.of(new Spot(0, 1024, 0x61), new Spot(1024, 1536, 0x71),
          new Spot(2560, 512, 0x62), new Spot(3072, 1024, 0x61), new Spot(4100, 3068, 0x61),
          new Spot(7168, 512, 0), new Spot(7680, 512, 0x61), new Spot(8192, 4096, 0),
          new Spot(200 * 1024, 512, 0x63), new Spot(250 * 1024, 512, 0x72))),
      Map.entry("extdata.qcow2", List.of(new Spot(0, 1024, 0x81), new Spot(1024, 2048, 0),
          new Spot(3072, 512, 0x82))),
      Map.entry("snapshot.qcow2", List.of(new Spot(0, 1024, 0x91), new Spot(1024, 2048, 0x92),
          new Spot(3072, 100, 0), new Spot(10 * 1024, 512, 0x93))),
      Map.entry("refcount1.qcow2", refcountSpots()),
      Map.entry("refcount64.qcow2", refcountSpots()),
      Map.entry("zero.qcow2", List.of(new Spot(0, 2048, 0xb1), new Spot(2048, 2048, 0),
          new Spot(4096, 1024, 0xb1), new Spot(5120, 1024, 0), new Spot(100 * 1024, 4096, 0))));

  static List<Spot> compressedSpots() {
    return List.of(new Spot(0, 512, 0x51), new Spot(512, 512, 0x52), new Spot(1024, 512, 0x54),
        new Spot(1536, 512, 0), new Spot(8192, 512, 0x53), new Spot(255 * 1024, 512, 0x55));
  }

  static List<Spot> refcountSpots() {
    return List.of(new Spot(0, 1024, 0xa1), new Spot(1024, 4096, 0), new Spot(5120, 3072, 0xa2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"v2.qcow2", "v3-default.qcow2", "c512.qcow2", "extl2.qcow2",
      "compressed-zlib.qcow2", "compressed-zstd.qcow2", "chain-mid.qcow2", "chain-top.qcow2",
      "extdata.qcow2", "snapshot.qcow2", "refcount1.qcow2", "refcount64.qcow2", "zero.qcow2"})
  void wholeDiskMatchesQemuAndSpotReads(String name) throws Exception {
    try (Qcow2Image image = Qcow2Image.open(dir.resolve(name))) {
      VirtualDisk disk = image.disk();
      assertEquals(sums.get(name), sha256(readAll(disk, Integer.MAX_VALUE)), name + " whole");
      // Odd-sized chunks cross cluster, subcluster and L2-table boundaries mid-read.
      assertEquals(sums.get(name), sha256(readAll(disk, 777)), name + " in 777-byte reads");
      for (Spot s : SPOTS.get(name)) {
        ByteBuffer b = ByteBuffer.allocate(s.length());
        assertEquals(s.length(), disk.read(b, s.offset()));
        byte[] want = new byte[s.length()];
        java.util.Arrays.fill(want, (byte) s.value());
        assertArrayEquals(want, b.array(), name + " at " + s.offset());
      }
    }
  }

  @Test
  void rawBaseMarkerReadsThroughTwoLayers() throws Exception {
    try (Qcow2Image image = Qcow2Image.open(dir.resolve("chain-top.qcow2"))) {
      ByteBuffer b = ByteBuffer.allocate(4);
      image.disk().read(b, 4096);
      assertEquals("BASE", new String(b.array(), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void snapshotDiskMatchesQemu() throws Exception {
    try (Qcow2Image image = Qcow2Image.open(dir.resolve("snapshot.qcow2"))) {
      VirtualDisk snap = image.snapshotDisk("snap1");
      assertEquals(sums.get("snapshot.qcow2@snap1"), sha256(readAll(snap, Integer.MAX_VALUE)));
      assertEquals(sums.get("snapshot.qcow2@snap1"), sha256(readAll(image.snapshotDisk("1"), 1000)));
      ByteBuffer b = ByteBuffer.allocate(2048 + 100);
      snap.read(b, 0);
      for (int i = 0; i < b.capacity(); i++) {
        assertEquals(i < 2048 ? (byte) 0x91 : 0, b.get(i), "snap1 byte " + i);
      }
    }
  }

  static byte[] readAll(VirtualDisk disk, int chunk) throws Exception {
    byte[] all = new byte[(int) disk.size()];
    long pos = 0;
    while (pos < all.length) {
      int n = (int) Math.min(chunk, all.length - pos);
      ByteBuffer b = ByteBuffer.wrap(all, (int) pos, n);
      assertEquals(n, disk.read(b, pos));
      pos += n;
    }
    assertEquals(-1, disk.read(ByteBuffer.allocate(1), disk.size()));
    return all;
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** Where qemu-img is installed, the recorded hashes are re-derived from it (and check passes). */
  @ParameterizedTest
  @ValueSource(strings = {"v2.qcow2", "v3-default.qcow2", "c512.qcow2", "extl2.qcow2",
      "compressed-zlib.qcow2", "compressed-zstd.qcow2", "chain-mid.qcow2", "chain-top.qcow2",
      "extdata.qcow2", "snapshot.qcow2", "refcount1.qcow2", "refcount64.qcow2", "zero.qcow2"})
  void recordedHashesAreQemus(String name) throws Exception {
    io.github.qcow2nio.format.testing.Qemu.assumeAvailable();
    Path image = dir.resolve(name);
    if (name.equals("extdata.qcow2")) {
      // qemu-img 7.2 resolves the header's data-file name against its working directory, not
      // the image's: name the data file explicitly.
      Path raw = dir.resolve("extdata.raw");
      String opts = "driver=qcow2,file.filename=" + image + ",data-file.driver=file,"
          + "data-file.filename=" + dir.resolve("extdata.data");
      io.github.qcow2nio.format.testing.Qemu.img("convert", "--image-opts", opts, "-O", "raw",
          raw.toString());
      assertEquals(sums.get(name), sha256(java.nio.file.Files.readAllBytes(raw)));
      io.github.qcow2nio.format.testing.Qemu.img("check", "-q", "--image-opts", opts);
      return;
    }
    assertEquals(sums.get(name), sha256(io.github.qcow2nio.format.testing.Qemu.rawContents(
        image, dir)));
    io.github.qcow2nio.format.testing.Qemu.img("check", "-q", image.toString());
    if (name.equals("snapshot.qcow2")) {
      Path raw = dir.resolve("snap1.raw");
      io.github.qcow2nio.format.testing.Qemu.img("convert", "-l", "snapshot.name=snap1", "-O",
          "raw", image.toString(), raw.toString());
      assertEquals(sums.get("snapshot.qcow2@snap1"),
          sha256(java.nio.file.Files.readAllBytes(raw)));
    }
  }

  @Test
  void emptyBackingNameReadsLikeNoBackingFile() throws Exception {
    // As qemu-img 7.2 reads it: backing_file_offset 0x78, backing_file_size 0 names no file.
    byte[] img = io.github.qcow2nio.format.testing.Bytes.of(Golden.bytes("c512.qcow2"))
        .u64(8, 0x78).array();
    Path p = java.nio.file.Files.write(dir.resolve("empty-backing.qcow2"), img);
    try (Qcow2Image image = Qcow2Image.open(p)) {
      assertEquals(java.util.Optional.empty(), image.backingFile());
      assertEquals(sums.get("c512.qcow2"), sha256(readAll(image.disk(), 4096)));
    }
  }
}
