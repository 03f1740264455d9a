package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.NotQcow2Exception;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.testing.Bytes;
import io.github.qcow2nio.format.testing.Golden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Tag;

/**
 * A table of hostile images: a valid golden image with one thing corrupted per case. Each must
 * fail with an IOException subclass (never a RuntimeException or Error) naming the structure and
 * offset, within a second, without allocating much more than the file; corruptions the open cannot
 * see must fail the same way on every read of the whole disk.
 *
 * <p>Offsets of L1/L2 entries are those of the committed golden images (see golden/README.md):
 * 512-byte-cluster images have the header's L1 table at 0x600 and the first L2 table at 0x800.
 */
@Tag("qemu")
class HostileImageTest {
  static final Duration LIMIT = Duration.ofSeconds(1);

  enum Stage { OPEN, READ }

  /** One hostile image: files in memory, the one to open, and what must go wrong. */
  record Case(String name, Map<String, byte[]> files, String image, OpenOptions options,
      Stage stage, Class<? extends IOException> type, List<String> fragments) {}

  final List<Case> cases = new ArrayList<>();

  /** The golden image {@code base}, changed by {@code edit}, opened as "a.qcow2". */
  private void add(String name, String base, Consumer<Bytes> edit, Stage stage,
      Class<? extends IOException> type, String... fragments) {
    Bytes b = Bytes.of(Golden.bytes(base));
    edit.accept(b);
    Map<String, byte[]> files = new HashMap<>();
    files.put("a.qcow2", b.array());
    cases.add(new Case(name, files, "a.qcow2", OpenOptions.readOnly(), stage, type,
        List.of(fragments)));
  }

  private void add(String name, Map<String, byte[]> files, String image, OpenOptions options,
      Class<? extends IOException> type, String... fragments) {
    cases.add(new Case(name, files, image, options, Stage.OPEN, type, List.of(fragments)));
  }

  /** c512.qcow2 (512-byte clusters, no extensions) naming a backing file after its end marker. */
  static byte[] withBacking(String base, String backing, String format) {
    Bytes b = Bytes.of(Golden.bytes(base));
    int p = 112;
    if (format != null) {
      byte[] f = format.getBytes(StandardCharsets.US_ASCII);
      b.u32(p, 0xE2792ACAL).u32(p + 4, f.length).put(p + 8, f);
      p += 8 + ((f.length + 7) & ~7);
    }
    b.u64(p, 0);
    p += 8;
    b.ascii(p, backing).u64(8, p).u32(16, backing.length());
    return b.array();
  }

  /** A bitmaps extension (1 bitmap, 32-byte directory at {@code dirOffset}) at 0x70. */
  static Bytes bitmaps(Bytes b, long dirOffset) {
    return b.u32(112, 0x23852875L).u32(116, 24).u32(120, 1).u32(124, 0).u64(128, 32)
        .u64(136, dirOffset);
  }

  static Bytes truncate(Bytes b, int length) {
    return b.resize(length);
  }

  @TestFactory
  Stream<DynamicTest> hostileImages() {
    Class<CorruptImageException> corrupt = CorruptImageException.class;
    Class<UnsupportedImageException> unsupported = UnsupportedImageException.class;
    Stage open = Stage.OPEN;
    Stage read = Stage.READ;

    // ---- header fields
    add("magic", "c512.qcow2", b -> b.u8(3, 0xFA), open, NotQcow2Exception.class, "qcow2");
    add("version 1", "c512.qcow2", b -> b.u32(4, 1), open, unsupported, "version 1");
    add("version 4", "c512.qcow2", b -> b.u32(4, 4), open, unsupported, "version 4");
    add("cluster_bits 8", "c512.qcow2", b -> b.u32(20, 8), open, corrupt, "cluster_bits", "0x14");
    add("cluster_bits 22", "c512.qcow2", b -> b.u32(20, 22), open, corrupt, "cluster_bits");
    add("cluster_bits huge", "c512.qcow2", b -> b.u32(20, 0x7FFFFFFF), open, corrupt,
        "cluster_bits");
    add("header_length too small", "c512.qcow2", b -> b.u32(100, 100), open, corrupt,
        "header_length", "0x64");
    add("header_length past the cluster", "c512.qcow2", b -> b.u32(100, 1024), open, corrupt,
        "header_length", "exceeds the cluster size");
    add("header_length past the file", "c512.qcow2", b -> truncate(b.u32(100, 400), 200), open,
        corrupt, "qcow2 header", "200");
    add("refcount_order 7", "c512.qcow2", b -> b.u32(96, 7), open, corrupt, "refcount_order",
        "0x60");
    add("backing_file_offset past cluster 0", "c512.qcow2", b -> b.u64(8, 0x201).u32(16, 1),
        open, corrupt, "backing_file_offset", "0x8");
    add("backing name length 1024", "chain-mid.qcow2", b -> b.u32(16, 1024), open, corrupt,
        "backing file name", "0x88", "too long");
    add("backing name past EOF", "v3-default.qcow2", b -> truncate(b.u64(8, 4000)
        .u32(16, 200), 4096), open, corrupt, "backing file name", "0xfa0", "past the end");
    add("l1_size 0x7fffffff", "c512.qcow2", b -> b.u32(36, 0x7FFFFFFF), open, corrupt,
        "active L1 table", "32 MiB");
    add("l1_size just over 32 MiB", "c512.qcow2", b -> b.u32(36, 4 * 1024 * 1024 + 1), open,
        corrupt, "active L1 table", "32 MiB");
    add("l1_size of 32 MiB on a 10 KiB file", "c512.qcow2", b -> b.u32(36, 4 * 1024 * 1024),
        open, corrupt, "active L1 table", "0x600", "past the end");
    add("l1_size too small", "c512.qcow2", b -> b.u32(36, 7), open, corrupt, "l1_size",
        "too small");
    add("size negative", "c512.qcow2", b -> b.u64(24, -512L), open, corrupt, "size", "0x18");
    add("size needing more than INT_MAX L1 entries", "c512.qcow2", b -> b.u64(24, 1L << 62),
        open, corrupt, "size", "too big");
    // Extended L2 entries are 16 bytes: a 16 KiB L2 table maps 16 MiB, not 32.
    add("l1_size too small for extended L2", "extl2.qcow2", b -> b.u64(24, (16L << 20) + 512),
        open, corrupt, "l1_size", "too small");
    add("l1 offset unaligned", "c512.qcow2", b -> b.u64(40, 0x601), open, corrupt,
        "active L1 table", "0x601");
    add("l1 offset zero", "c512.qcow2", b -> b.u64(40, 0), open, corrupt, "active L1 table",
        "0x0");
    add("l1 offset past EOF", "c512.qcow2", b -> b.u64(40, 0x100000), open, corrupt,
        "active L1 table", "0x100000", "past the end");
    add("l1 offset negative", "c512.qcow2", b -> b.u64(40, 0x8000000000000000L), open, corrupt,
        "active L1 table");
    add("file cut inside cluster 2", "c512.qcow2", b -> truncate(b, 1024), open, corrupt,
        "active L1 table", "0x600");
    add("refcount table unaligned", "c512.qcow2", b -> b.u64(48, 0x201), open, corrupt,
        "refcount table", "0x201");
    add("refcount table at 0", "c512.qcow2", b -> b.u64(48, 0), open, corrupt,
        "refcount table", "0x0");
    add("refcount table of zero clusters", "c512.qcow2", b -> b.u32(56, 0), open, corrupt,
        "refcount_table_clusters", "0x38");
    add("refcount table too large", "c512.qcow2", b -> b.u32(56, 16385), open, corrupt,
        "refcount table", "0x200", "at most");
    add("refcount table clusters huge", "c512.qcow2", b -> b.u32(56, -1), open, corrupt,
        "refcount table");
    add("nb_snapshots 65537", "c512.qcow2", b -> b.u32(60, 65537), open, corrupt,
        "snapshot table", "65537");
    add("nb_snapshots 65536, table past EOF", "c512.qcow2",
        b -> b.u32(60, 65536).u64(64, 0x100000), open, corrupt, "snapshot table entry 0",
        "0x100000");
    add("nb_snapshots 1000, table runs past EOF", "snapshot.qcow2", b -> b.u32(60, 1000), open,
        corrupt, "snapshot table entry 1");
    add("snapshot table at offset 0", "c512.qcow2", b -> b.u32(60, 1), open, corrupt,
        "snapshot table", "0x0");
    add("snapshots_offset unaligned", "snapshot.qcow2", b -> b.u64(64, 0x1401), open, corrupt,
        "snapshot table", "0x1401");
    add("snapshot extra_data_size 1025", "snapshot.qcow2", b -> b.u32(0x1400 + 36, 1025), open,
        corrupt, "snapshot table entry 0", "0x1400", "1025");
    add("snapshot id length past EOF", "snapshot.qcow2", b -> b.u16(0x1400 + 12, 0xFFFF), open,
        corrupt, "snapshot table entry 0", "0x1428");
    add("snapshot name length past EOF", "snapshot.qcow2", b -> b.u16(0x1400 + 14, 0xFFFF),
        open, corrupt, "snapshot table entry 0", "0x1428");

    // ---- header extensions
    add("extension length past the cluster", "chain-mid.qcow2", b -> b.u32(116, 0x1000), open,
        corrupt, "header extension 0xe2792aca", "0x70");
    add("extension length 0xffffffff", "c512.qcow2", b -> b.u32(112, 0x12345678).u32(116, -1),
        open, corrupt, "header extension 0x12345678", "0x70");
    add("extension header crosses the backing name", "chain-mid.qcow2", b -> b.u64(8, 0x74)
        .u32(16, 4), open, corrupt, "header extension", "0x70");
    add("backing format of 16 bytes", "chain-mid.qcow2", b -> b.u32(116, 16), open, corrupt,
        "backing file format", "0x70");
    add("unknown incompatible bit", "c512.qcow2", b -> b.u64(72, 1L << 40), open, unsupported,
        "bit 40");
    add("unknown incompatible bit named by the feature table", "v3-default.qcow2",
        b -> b.u64(72, 1L << 40).u8(121, 40).put(122, new byte[46]).ascii(122, "frobnication"),
        open, unsupported, "frobnication", "bit 40");
    add("compression type bit without a type", "c512.qcow2", b -> b.u64(72, 8), open, corrupt,
        "incompatible_features", "0x48");
    add("zstd type without the bit", "compressed-zstd.qcow2", b -> b.u64(72, 0), open, corrupt,
        "incompatible_features", "0x48");
    add("unknown compression type", "compressed-zstd.qcow2", b -> b.u8(104, 7), open,
        unsupported, "compression type 7");
    add("AES encryption without a key secret", "c512.qcow2", b -> b.u32(32, 1), open,
        EncryptionKeyException.class, "encrypted (AES)", "keySecret");
    add("LUKS encryption without its header extension", "c512.qcow2", b -> b.u32(32, 2), open,
        corrupt, "Missing CRYPTO header for crypt method 2", "0x20");
    add("unknown encryption method", "c512.qcow2", b -> b.u32(32, 3), open, unsupported,
        "encryption method 3");
    add("crypto extension without LUKS", "c512.qcow2", b -> b.u32(112, 0x0537BE77L).u32(116, 16)
        .u64(120, 0x200).u64(128, 100), open, corrupt, "encryption header extension", "0x70");
    add("data-file bit without a name", "c512.qcow2", b -> b.u64(72, 4), open,
        Qcow2Exception.class, "'data-file' is required");
    add("data-file-raw without data file", "c512.qcow2", b -> b.u64(88, 2), open, corrupt,
        "autoclear_features");
    add("extended L2 with 512-byte clusters", "c512.qcow2", b -> b.u64(72, 0x10), open, corrupt,
        "cluster_bits", "16 KiB");

    add("bitmap directory past EOF", "c512.qcow2", b -> bitmaps(b, 0x100000).u64(88, 1), open,
        corrupt, "bitmap directory", "0x100000", "past the end");
    add("bitmap directory unaligned", "c512.qcow2", b -> bitmaps(b, 0x1100).u64(88, 1), open,
        corrupt, "bitmaps header extension", "0x70");
    add("bitmap directory entry broken", "c512.qcow2", b -> bitmaps(b, 0x2a00).u64(88, 1)
        .resize(0x2c00), open, corrupt, "bitmap directory entry 0", "0x2a00");

    // ---- the data path: open succeeds, every read of the whole disk fails
    // With 512-byte clusters bits 0..8 are reserved and masked off: only larger clusters can
    // hold an unaligned offset (v3-default: L1 at 0x30000, L2 at 0x40000, data at 0x50000).
    add("L2 table offset unaligned", "v3-default.qcow2",
        b -> b.u64(0x30000, 0x8000000000040200L), read, corrupt, "L1 table entry 0", "0x30000",
        "not cluster-aligned");
    add("L2 table past EOF", "c512.qcow2", b -> b.u64(0x600, 0x8000000000100000L), read,
        corrupt, "L2 table", "0x100000", "past the end");
    add("L2 table straddling EOF", "c512.qcow2", b -> b.u64(0x600, 0x8000000000002800L)
        .resize(0x2900), read, corrupt, "L2 table", "0x2800");
    add("data cluster unaligned", "v3-default.qcow2", b -> b.u64(0x40008, 0x8000000000060200L),
        read, corrupt, "L2 entry 1 (L1 index 0)", "0x40008", "not cluster-aligned");
    add("compressed descriptor past EOF", "compressed-zlib.qcow2",
        b -> b.u64(0x800, 0x4000000000100000L), read, corrupt, "L2 entry 0 (L1 index 0)",
        "0x800", "outside");
    add("compressed descriptor at offset 0", "compressed-zlib.qcow2",
        b -> b.u64(0x800, 0x4000000000000000L), read, corrupt, "L2 entry 0 (L1 index 0)",
        "0x800");
    add("compressed descriptor at EOF", "compressed-zlib.qcow2",
        b -> b.u64(0x800, 0x4000000000001000L), read, corrupt, "L2 entry 0 (L1 index 0)",
        "0x800", "compressed data offset 0x1000 lies outside");
    add("garbage deflate data", "compressed-zlib.qcow2", b -> b.u64(0xa00, -1L), read, corrupt,
        "compressed cluster", "0xa00");
    add("deflate stream ending early", "compressed-zlib.qcow2", b -> b.u16(0xa00, 0x0300), read,
        corrupt, "compressed cluster", "0xa00");
    add("garbage zstd data", "compressed-zstd.qcow2", b -> b.u64(0xa00, -1L).u64(0xa08, -1L),
        read, corrupt, "compressed cluster", "0xa00");
    add("zstd frame cut short", "compressed-zstd.qcow2", b -> b.u64(0x800, 0x4000000000000a00L)
        .resize(0xa0c), read, corrupt, "compressed cluster", "0xa00");
    add("extended L2: allocated and zero", "extl2.qcow2",
        b -> b.u64(0x10008, 0x0000000200000002L), read, corrupt, "L2 entry 0 (L1 index 0)",
        "0x10000", "both allocated and zero");
    add("extended L2: allocated without a host cluster", "extl2.qcow2",
        b -> b.u64(0x10028, 0x1L), read, corrupt, "L2 entry 2 (L1 index 0)", "0x10020");
    add("extended L2: data subcluster unaligned", "extl2.qcow2",
        b -> b.u64(0x10000, 0x8000000000014200L), read, corrupt, "L2 entry 0", "0x10000");
    add("v2 image with a zero flag", "v2.qcow2", b -> b.u64(0x800, 0x8000000000000a01L), read,
        corrupt, "L2 entry 0 (L1 index 0)", "0x800", "version 2");
    add("compressed cluster with an external data file", "extdata.qcow2",
        b -> b.u64(0x800, 0x4000000000000a00L), read, corrupt, "L2 entry 0", "0x800");
    add("external data offset not the guest offset", "extdata.qcow2",
        b -> b.u64(0x808, 0x8000000000000400L), read, corrupt, "L2 entry 1", "0x808");
    for (Case c : cases) {
      if (c.files().containsKey("a.qcow2") && c.name().startsWith("compressed cluster with")
          || c.name().startsWith("external data offset")) {
        c.files().put("extdata.data", Golden.bytes("extdata.data"));
      }
    }

    // ---- backing chains and other files
    add("backing chain a -> b -> a", Map.of(
        "a.qcow2", withBacking("c512.qcow2", "b.qcow2", "qcow2"),
        "b.qcow2", withBacking("c512.qcow2", "a.qcow2", "qcow2")), "a.qcow2",
        OpenOptions.readOnly(), BackingChainException.class, "loops");
    add("backing chain a -> a", Map.of("a.qcow2", withBacking("c512.qcow2", "a.qcow2", null)),
        "a.qcow2", OpenOptions.readOnly(), BackingChainException.class, "a.qcow2", "loops");
    Map<String, byte[]> deep = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      deep.put("d" + i, withBacking("c512.qcow2", "d" + (i + 1), "qcow2"));
    }
    deep.put("d5", Golden.bytes("c512.qcow2"));
    add("backing chain deeper than the limit", deep, "d0",
        OpenOptions.builder().maxBackingDepth(3).build(), BackingChainException.class,
        "deeper than 3");
    add("missing backing file, probed", Map.of("a.qcow2",
        withBacking("c512.qcow2", "nope.qcow2", null)), "a.qcow2", OpenOptions.readOnly(),
        BackingChainException.class, "a.qcow2: ", "'nope.qcow2'", "NoSuchFileException");
    add("missing qcow2 backing file", Map.of("a.qcow2", Golden.bytes("chain-top.qcow2")),
        "a.qcow2", OpenOptions.readOnly(), BackingChainException.class, "'chain-mid.qcow2'",
        "NoSuchFileException");
    add("missing raw backing file", Map.of("a.qcow2", Golden.bytes("chain-mid.qcow2")),
        "a.qcow2", OpenOptions.readOnly(), BackingChainException.class, "chain-base.raw");
    add("corrupt backing image", Map.of(
        "a.qcow2", withBacking("c512.qcow2", "b.qcow2", "qcow2"),
        "b.qcow2", Bytes.of(Golden.bytes("c512.qcow2")).u32(20, 30).array()), "a.qcow2",
        OpenOptions.readOnly(), BackingChainException.class, "b.qcow2", "cluster_bits");
    add("unsupported backing format", Map.of("a.qcow2",
        withBacking("c512.qcow2", "b.vmdk", "vmdk"), "b.vmdk", new byte[512]), "a.qcow2",
        OpenOptions.readOnly(), unsupported, "vmdk");
    add("missing external data file", Map.of("a.qcow2", Golden.bytes("extdata.qcow2")),
        "a.qcow2", OpenOptions.readOnly(), Qcow2Exception.class, "extdata.data");
    add("corrupt bit, opened writable", Map.of("a.qcow2",
        Bytes.of(Golden.bytes("c512.qcow2")).u64(72, 2).array()), "a.qcow2",
        OpenOptions.readWrite(), unsupported, "corrupt");

    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
  }

  /**
   * The same table through real files (PathLocation, FileChannel): the host I/O layer must not
   * change what is reported. The allocation budget there includes the JDK's channel buffers.
   */
  @TestFactory
  Stream<DynamicTest> hostileImagesOnDisk(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    hostileImages();
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      java.nio.file.Path d = java.nio.file.Files.createTempDirectory(tmp, "case");
      for (Map.Entry<String, byte[]> f : c.files().entrySet()) {
        java.nio.file.Files.write(d.resolve(f.getKey()), f.getValue());
      }
      run(c, new io.github.qcow2nio.format.io.PathLocation(d.resolve(c.image())));
    }));
  }

  /**
   * Cases qemu-img 7.2 accepts where this library is deliberately stricter: QEMU reads past the
   * end of the file as zeros (truncated headers, names, tables), trusts offsets into the header,
   * opens AES images, and its checks of a missing data file name run only when data is read.
   */
  static final java.util.Set<String> STRICTER_THAN_QEMU = java.util.Set.of(
      "header_length past the file", "backing name past EOF",
      "l1_size of 32 MiB on a 10 KiB file", "l1 offset zero", "l1 offset past EOF",
      "file cut inside cluster 2", "refcount table at 0", "nb_snapshots 65536, table past EOF",
      "snapshot table at offset 0", "snapshot id length past EOF",
      "snapshot name length past EOF", "AES encryption", "data-file-raw without data file",
      "L2 table past EOF", "L2 table straddling EOF", "corrupt bit, opened writable");

  /** Cases qemu-img 7.2 convert never finishes: it follows looping backing chains forever. */
  static final java.util.Set<String> QEMU_HANGS = java.util.Set.of(
      "backing chain a -> b -> a", "backing chain a -> a");

  /**
   * Where qemu-img is installed: {@code qemu-img convert -f qcow2} (which opens the whole chain
   * and reads every byte) refuses each hostile image too, except the cases where we are
   * deliberately stricter. Catches a case whose bytes are accidentally still valid.
   */
  @TestFactory
  Stream<DynamicTest> qemuRefusesThemToo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    Qemu.assumeAvailable();
    hostileImages();
    return cases.stream()
        .filter(c -> !STRICTER_THAN_QEMU.contains(c.name()) && !QEMU_HANGS.contains(c.name())
            && c.options().maxBackingDepth() == OpenOptions.readOnly().maxBackingDepth())
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          java.nio.file.Path d = java.nio.file.Files.createTempDirectory(tmp, "case");
          for (Map.Entry<String, byte[]> f : c.files().entrySet()) {
            java.nio.file.Files.write(d.resolve(f.getKey()), f.getValue());
          }
          // Run in the image's directory: qemu-img 7.2 resolves data-file names against it.
          List<String> cmd = new ArrayList<>(List.of("qemu-img", "convert", "-f", "qcow2"));
          cmd.addAll(List.of("-O", "raw", c.image(), "out.raw"));
          Qemu.Result r = Qemu.run(cmd, d);
          assertTrue(r.exitCode() != 0 || r.stderr().contains("corrupt"),
              c.name() + ": qemu-img accepted it: " + r.stderr());
        }));
  }

  static void run(Case c) {
    run(c, new MemoryLocation(c.files(), c.image()));
  }

  static void run(Case c, io.github.qcow2nio.format.io.ImageLocation at) {
    long budget = 8L << 20;
    for (byte[] f : c.files().values()) {
      budget += 4L * f.length;
    }
    long limit = budget;
    assertTimeoutPreemptively(LIMIT, () -> {
      long before = allocated();
      IOException e = attempt(c, at);
      long used = allocated() - before;
      assertInstanceOf(c.type(), e, () -> c.name() + ": " + e);
      for (String f : c.fragments()) {
        assertTrue(e.getMessage().contains(f),
            () -> c.name() + ": message lacks '" + f + "': " + e.getMessage());
      }
      if (e instanceof CorruptImageException ce) {
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(ce.offset())), e::getMessage);
      }
      if (before >= 0) {
        assertTrue(used < limit, c.name() + ": allocated " + used + " bytes");
      }
      if (c.stage() == Stage.READ) {
        // Nothing is cached from a failed read: every read fails the same way.
        IOException again = attempt(c, at);
        assertEquals(e.getClass(), again.getClass());
        assertEquals(e.getMessage(), again.getMessage());
      }
    }, c.name());
  }

  /** Opens the case's image (and reads it all, for READ cases); returns what it threw. */
  static IOException attempt(Case c, io.github.qcow2nio.format.io.ImageLocation at) {
    if (c.stage() == Stage.OPEN) {
      return assertThrows(IOException.class, () -> Qcow2Image.open(at, c.options()).close(),
          c.name() + ": open must fail");
    }
    Qcow2Image image;
    try {
      image = Qcow2Image.open(at, c.options());
    } catch (IOException e) {
      return fail(c.name() + ": open must succeed and reads fail", e);
    }
    try (image) {
      VirtualDisk disk = image.disk();
      IOException whole = assertThrows(IOException.class,
          () -> disk.read(ByteBuffer.allocate((int) disk.size()), 0), c.name());
      // Cluster by cluster, the same broken structure must be reported.
      IOException chunked = assertThrows(IOException.class, () -> {
        ByteBuffer b = ByteBuffer.allocate(image.header().clusterSize());
        for (long pos = 0; pos < disk.size(); pos += b.capacity()) {
          disk.read(b.clear(), pos);
        }
      }, c.name());
      assertEquals(whole.getMessage(), chunked.getMessage());
      return whole;
    } catch (IOException e) {
      return fail(c.name() + ": close failed", e);
    }
  }

  /** Bytes this thread allocated so far, or -1 where the JVM cannot tell. */
  static long allocated() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return -1;
  }

  @Test
  void hugeL1SizeOnA200KiBFileFailsFast() {
    byte[] img = Bytes.of(Golden.bytes("c512.qcow2")).u32(36, 0x7FFFFFFF).resize(200 * 1024)
        .array();
    Map<String, byte[]> files = Map.of("a.qcow2", img);
    assertTimeoutPreemptively(Duration.ofMillis(200), () -> {
      long before = allocated();
      assertThrows(CorruptImageException.class, () -> Qcow2Image.open(
          new MemoryLocation(files, "a.qcow2"), OpenOptions.readOnly()));
      if (before >= 0) {
        long used = allocated() - before;
        // The file is copied once into memory; nothing near 0x7fffffff * 8 bytes is allocated.
        assertTrue(used < img.length + (2L << 20), "allocated " + used);
      }
    });
  }

  @Test
  void headerLengthBeyond4KiBIsValid() throws Exception {
    // qemu-img 7.2 opens v3-default.qcow2 with header_length 8192 (< the 64 KiB cluster) and
    // converts it to the same raw contents: bytes 112..8192 are unknown header fields.
    byte[] img = Bytes.of(Golden.bytes("v3-default.qcow2")).u32(100, 8192).array();
    try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", img),
        "a.qcow2"), OpenOptions.readOnly())) {
      assertEquals(8192, image.header().headerLength());
      assertEquals(8192 - 112, image.header().unknownTrailer().length);
      ByteBuffer all = ByteBuffer.allocate((int) image.disk().size());
      image.disk().read(all, 0);
      assertEquals(Golden.sums().get("v3-default.qcow2"), java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(all.array())));
    }
  }

  @Test
  void snapshotL1TablesOutsideTheFile() throws Exception {
    // Entry 0 of snapshot.qcow2's table (at 0x1400): L1 offset at +0, L1 size at +8.
    for (Consumer<Bytes> edit : List.<Consumer<Bytes>>of(
        b -> b.u32(0x1400 + 8, 4 * 1024 * 1024),
        b -> b.u64(0x1400, 0x100000),
        b -> b.u64(0x1400, 0x7FFFFFFFFFFFFE00L),
        b -> b.u64(0x1400, 0x1201),
        b -> b.u32(0x1400 + 8, 4 * 1024 * 1024 + 1))) {
      Bytes b = Bytes.of(Golden.bytes("snapshot.qcow2"));
      edit.accept(b);
      Map<String, byte[]> files = Map.of("a.qcow2", b.array());
      assertTimeoutPreemptively(LIMIT, () -> {
        try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(files, "a.qcow2"),
            OpenOptions.readOnly())) {
          long before = allocated();
          var e = assertThrows(CorruptImageException.class, () -> image.snapshotDisk("snap1"));
          long used = allocated() - before;
          assertTrue(e.getMessage().contains("L1 table of snapshot 'snap1'"), e.getMessage());
          assertTrue(e.getMessage().contains("0x" + Long.toHexString(e.offset())),
              e.getMessage());
          // The active disk still reads: QEMU checks a snapshot's L1 only when it is used.
          assertEquals(Golden.sums().get("snapshot.qcow2"), java.util.HexFormat.of().formatHex(
              java.security.MessageDigest.getInstance("SHA-256").digest(readDisk(image.disk()))));
          if (before >= 0) {
            assertTrue(used < (2L << 20), "allocated " + used);
          }
        }
      });
    }
  }

  static byte[] readDisk(VirtualDisk disk) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) disk.size());
    disk.read(all, 0);
    return all.array();
  }

  @Test
  void snapshotDiskSizeBeyondWhatAnL1TableCanMap() {
    // Extra data of entry 0 (0x1400 + 40): the 64-bit VM state size, then the disk size.
    for (long size : new long[] {Long.MAX_VALUE & ~511L, 1L << 62, (1L << 52) + 512}) {
      Bytes b = Bytes.of(Golden.bytes("snapshot.qcow2")).u64(0x1400 + 48, size);
      Map<String, byte[]> files = Map.of("a.qcow2", b.array());
      assertTimeoutPreemptively(LIMIT, () -> {
        try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(files, "a.qcow2"),
            OpenOptions.readOnly())) {
          IOException e = assertThrows(IOException.class, () -> {
            VirtualDisk d = image.snapshotDisk("snap1");
            d.read(ByteBuffer.allocate(512), d.size() - 512);
          });
          assertInstanceOf(CorruptImageException.class, e);
          assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
        }
      }, "disk size " + size);
    }
  }

  @Test
  void snapshotDiskAsLargeAsAnL1TableCanMapReadsZerosAtItsEnd() throws Exception {
    // 512-byte clusters: 4 Mi L1 entries of 32 KiB each map 128 GiB.
    Bytes b = Bytes.of(Golden.bytes("snapshot.qcow2")).u64(0x1400 + 48, 1L << 37);
    try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", b.array()),
        "a.qcow2"), OpenOptions.readOnly())) {
      VirtualDisk d = image.snapshotDisk("snap1");
      assertEquals(1L << 37, d.size());
      ByteBuffer end = ByteBuffer.allocate(1024);
      assertEquals(512, d.read(end, d.size() - 512));
      assertEquals(512, end.position());
      for (int i = 0; i < 512; i++) {
        assertEquals(0, end.get(i));
      }
      ByteBuffer start = ByteBuffer.allocate(1);
      d.read(start, 0);
      assertEquals((byte) 0x91, start.get(0));
    }
  }

  @Test
  void bitmapsExtensionWithoutItsAutoclearBitIsIgnored() throws Exception {
    // The autoclear bit says whether the extension is consistent; without it QEMU ignores it.
    byte[] img = bitmaps(Bytes.of(Golden.bytes("c512.qcow2")), 0x100000).array();
    try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(Map.of("a.qcow2", img),
        "a.qcow2"), OpenOptions.readOnly())) {
      assertEquals(List.of(), image.bitmaps());
      assertTrue(image.extensions().bitmaps().isPresent());
    }
  }

  @Test
  void backingChainExactlyAtTheDepthLimitOpens() throws Exception {
    Map<String, byte[]> files = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      files.put("d" + i, withBacking("c512.qcow2", "d" + (i + 1), "qcow2"));
    }
    files.put("d3", Golden.bytes("c512.qcow2"));
    try (Qcow2Image image = Qcow2Image.open(new MemoryLocation(files, "d0"),
        OpenOptions.builder().maxBackingDepth(3).build())) {
      assertTrue(image.backingImage().orElseThrow().backingImage().orElseThrow()
          .backingImage().isPresent());
    }
    assertThrows(BackingChainException.class, () -> Qcow2Image.open(
        new MemoryLocation(files, "d0"), OpenOptions.builder().maxBackingDepth(2).build()));
  }
}
