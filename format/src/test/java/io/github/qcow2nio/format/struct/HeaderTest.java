package io.github.qcow2nio.format.struct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.NotQcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.testing.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fixed header, built byte by byte from the field table in qcow2-facts.md section 1. */
class HeaderTest {

  /** A v2 header with a distinct value in every field. */
  static Bytes v2() {
    return new Bytes(72)
        .u32(0, 0x514649FBL)
        .u32(4, 2)
        .u64(8, 0x1F0)          // backing_file_offset
        .u32(16, 0x0E)          // backing_file_size
        .u32(20, 16)            // cluster_bits
        .u64(24, 0x40000000L)   // size
        .u32(32, 0)             // crypt_method
        .u32(36, 2)             // l1_size
        .u64(40, 0x30000)       // l1_table_offset
        .u64(48, 0x10000)       // refcount_table_offset
        .u32(56, 1)             // refcount_table_clusters
        .u32(60, 3)             // nb_snapshots
        .u64(64, 0x50000);      // snapshots_offset
  }

  /** A v3 header of {@code length} bytes; compression_type 0. */
  static Bytes v3(int length) {
    return v2().resize(Math.max(length, 104))
        .u32(4, 3)
        .u64(72, 0x10)          // incompatible: extended L2
        .u64(80, 0x1)           // compatible: lazy refcounts
        .u64(88, 0x2 | 0x4)     // autoclear: raw external data and an unknown bit
        .u32(96, 5)             // refcount_order
        .u32(100, length);      // header_length
  }

  static Header parse(Bytes b) throws IOException {
    return Header.parse(b.buffer(), "test.qcow2");
  }

  @Test
  void version2() throws IOException {
    Header h = parse(v2());
    assertEquals(2, h.version());
    assertEquals(0x1F0, h.backingFileOffset());
    assertEquals(14, h.backingFileSize());
    assertEquals(16, h.clusterBits());
    assertEquals(65536, h.clusterSize());
    assertEquals(1L << 30, h.size());
    assertEquals(0, h.cryptMethod());
    assertEquals(2, h.l1Size());
    assertEquals(0x30000, h.l1TableOffset());
    assertEquals(0x10000, h.refcountTableOffset());
    assertEquals(1, h.refcountTableClusters());
    assertEquals(3, h.nbSnapshots());
    assertEquals(0x50000, h.snapshotsOffset());
    // What QEMU assumes for v2.
    assertEquals(0, h.incompatibleFeatures());
    assertEquals(0, h.compatibleFeatures());
    assertEquals(0, h.autoclearFeatures());
    assertEquals(4, h.refcountOrder());
    assertEquals(16, h.refcountBits());
    assertEquals(72, h.headerLength());
    assertEquals(72, h.extensionsStart());
    assertEquals(0x1F0, h.extensionsLimit());
    assertEquals(0, h.compressionType());
    assertArrayEquals(v2().array(), h.toBytes());
  }

  @Test
  void version2IgnoresBytesPast72() throws IOException {
    // Bytes 72.. of a v2 image are extensions, never v3 fields.
    Header h = parse(v2().resize(112).u64(72, 0xFFFF).u32(96, 6).u32(100, 8));
    assertEquals(0, h.incompatibleFeatures());
    assertEquals(4, h.refcountOrder());
    assertEquals(72, h.toBytes().length);
  }

  @Test
  void version3Minimal104() throws IOException {
    // header_length 104: byte 104 is not a header field, so a nonzero byte there is no type.
    Bytes b = v3(104).resize(112).u8(104, 1);
    Header h = parse(b);
    assertEquals(3, h.version());
    assertEquals(0x10, h.incompatibleFeatures());
    assertTrue(h.hasExtendedL2());
    assertEquals(1, h.compatibleFeatures());
    assertTrue(h.hasLazyRefcounts());
    assertEquals(6, h.autoclearFeatures());
    assertTrue(h.isDataFileRaw());
    assertEquals(5, h.refcountOrder());
    assertEquals(32, h.refcountBits());
    assertEquals(104, h.headerLength());
    assertEquals(104, h.extensionsStart());
    assertEquals(0, h.compressionType());
    assertArrayEquals(v3(104).array(), h.toBytes());
  }

  @Test
  void version3With112AndZstd() throws IOException {
    Bytes b = v3(112).u64(72, 0x8).u8(104, 1);
    Header h = parse(b);
    assertEquals(1, h.compressionType());
    assertEquals(112, h.headerLength());
    assertEquals(0, h.unknownTrailer().length);
    assertArrayEquals(b.array(), h.toBytes());
  }

  @ParameterizedTest
  @ValueSource(ints = {105, 108, 111})
  void compressionTypeReadWhenHeaderCoversByte104(int length) throws IOException {
    // QEMU does not require header_length to be a multiple of 8.
    Header h = parse(v3(length).resize(112).u64(72, 0x8).u8(104, 1));
    assertEquals(1, h.compressionType());
    assertEquals(length, h.headerLength());
    assertEquals(length, h.toBytes().length);
    assertEquals(1, h.toBytes()[104]);
  }

  @Test
  void unknownTrailingFieldsAreKeptAndRoundTrip() throws IOException {
    Bytes b = v3(136).u64(112, 0x0102030405060708L).u64(120, -1L).u64(128, 0x1122334455667788L);
    Header h = parse(b);
    assertEquals(136, h.headerLength());
    assertEquals(136, h.extensionsStart());
    assertArrayEquals(b.range(112, 136), h.unknownTrailer());
    assertArrayEquals(b.array(), h.toBytes());
    // The record hands out copies: nobody can change the preserved bytes behind its back.
    h.unknownTrailer()[0] = 99;
    assertArrayEquals(b.range(112, 136), h.unknownTrailer());
  }

  @Test
  void headerLengthUpToTheClusterSize() throws IOException {
    // 512-byte clusters: header_length 512 is the largest allowed.
    Header h = parse(v3(512).u32(20, 9).u64(8, 0).u8(511, 0x5A));
    assertEquals(512, h.headerLength());
    assertEquals(400, h.unknownTrailer().length);
    assertEquals(0x5A, h.unknownTrailer()[399]);
  }

  @Test
  void equalsFollowsTheBytes() throws IOException {
    Header a = parse(v3(112));
    assertEquals(a, parse(v3(112)));
    assertEquals(a.hashCode(), parse(v3(112)).hashCode());
    assertNotEquals(a, parse(v3(112).u32(36, 3)));
    assertNotEquals(a, parse(v3(120).u64(112, 1)));
    Header dirty = a.toBuilder().incompatibleFeatures(0x11).build();
    assertTrue(dirty.isDirty());
    assertEquals(0x11, ByteBuffer.wrap(dirty.toBytes()).getLong(72));
  }

  @Test
  void toBuilderKeepsEveryFieldAndTheTrailer() throws IOException {
    Header h = parse(v3(512).u8(104, 0).u8(300, 0x5A).u8(511, 0xA5));
    Header copy = h.toBuilder().build();
    assertEquals(h, copy);
    assertArrayEquals(h.toBytes(), copy.toBytes());
    assertArrayEquals(h.unknownTrailer(), copy.unknownTrailer());
  }

  /** Each setter changes its field's bytes and nothing else: a rewrite keeps the other fields. */
  @Test
  void eachSetterChangesOnlyItsField() throws IOException {
    Header h = parse(v3(120).u64(112, 0x0102030405060708L));
    byte[] before = h.toBytes();
    assertOnly(before, h.toBuilder().backingFileOffset(0x123).build(), 8, 8);
    assertOnly(before, h.toBuilder().backingFileSize(7).build(), 16, 4);
    assertOnly(before, h.toBuilder().clusterBits(12).build(), 20, 4);
    assertOnly(before, h.toBuilder().size(0x7777).build(), 24, 8);
    assertOnly(before, h.toBuilder().cryptMethod(Header.CRYPT_LUKS).build(), 32, 4);
    assertOnly(before, h.toBuilder().l1Size(9).build(), 36, 4);
    assertOnly(before, h.toBuilder().l1TableOffset(0x90000).build(), 40, 8);
    assertOnly(before, h.toBuilder().refcountTableOffset(0xA0000).build(), 48, 8);
    assertOnly(before, h.toBuilder().refcountTableClusters(4).build(), 56, 4);
    assertOnly(before, h.toBuilder().nbSnapshots(8).build(), 60, 4);
    assertOnly(before, h.toBuilder().snapshotsOffset(0xB0000).build(), 64, 8);
    assertOnly(before, h.toBuilder().incompatibleFeatures(0x11).build(), 72, 8);
    assertOnly(before, h.toBuilder().compatibleFeatures(0).build(), 80, 8);
    assertOnly(before, h.toBuilder().autoclearFeatures(0x1).build(), 88, 8);
    assertOnly(before, h.toBuilder().refcountOrder(6).build(), 96, 4);
    assertOnly(before, h.toBuilder().compressionType(Header.COMPRESSION_ZSTD).build(), 104, 1);
    assertOnly(before, h.toBuilder().unknownTrailer(new byte[] {9, 9, 9, 9, 9, 9, 9, 9}).build(),
        112, 8);
    byte[] asV2 = Arrays.copyOf(before, Header.V2_LENGTH);
    asV2[7] = 2;
    assertArrayEquals(asV2,
        h.toBuilder().version(2).headerLength(Header.V2_LENGTH).build().toBytes());
  }

  private static void assertOnly(byte[] before, Header changed, int offset, int length) {
    byte[] after = changed.toBytes();
    assertEquals(before.length, after.length);
    boolean differs = false;
    for (int i = 0; i < before.length; i++) {
      if (i >= offset && i < offset + length) {
        differs |= before[i] != after[i];
      } else {
        assertEquals(before[i], after[i], "byte " + i + " changed; only " + offset + ".."
            + (offset + length - 1) + " should");
      }
    }
    assertTrue(differs, "bytes " + offset + ".." + (offset + length - 1) + " did not change");
  }

  @Test
  void builderStartsFromQemuVersion3Defaults() throws IOException {
    Header h = Header.builder().build();
    assertEquals(Header.V3_LENGTH, h.toBytes().length);
    Header parsed = Header.parse(ByteBuffer.wrap(h.toBytes()), "built");
    assertEquals(h, parsed);
    assertEquals(3, parsed.version());
    assertEquals(65536, parsed.clusterSize());
    assertEquals(16, parsed.refcountBits());
    assertEquals(Header.V3_LENGTH, parsed.headerLength());
    assertEquals(Header.COMPRESSION_DEFLATE, parsed.compressionType());
    assertEquals(Header.CRYPT_NONE, parsed.cryptMethod());
    assertEquals(0, parsed.size() | parsed.l1TableOffset() | parsed.refcountTableOffset()
        | parsed.incompatibleFeatures() | parsed.compatibleFeatures()
        | parsed.autoclearFeatures() | parsed.backingFileOffset());
  }

  @Test
  void builderCopiesTheTrailerItIsGiven() {
    byte[] trailer = {1, 2, 3, 4};
    HeaderBuilder b = Header.builder().headerLength(Header.V3_LENGTH + 4).unknownTrailer(trailer);
    trailer[0] = 99;
    Header h = b.build();
    assertArrayEquals(new byte[] {1, 2, 3, 4}, h.unknownTrailer());
    assertEquals(0, Header.builder().unknownTrailer(null).build().unknownTrailer().length);
  }

  @Test
  void featureAccessors() throws IOException {
    Header h = parse(v3(112).u64(72, 0x7).u64(88, 0x1));
    assertTrue(h.isDirty());
    assertTrue(h.isCorrupt());
    assertTrue(h.hasExternalDataFile());
    assertTrue(h.hasBitmaps());
  }

  // ---- validation: every check QEMU makes before reading other structures.

  @Test
  void badMagic() {
    assertThrows(NotQcow2Exception.class, () -> parse(v2().u8(3, 0xFA)));
    assertThrows(NotQcow2Exception.class, () -> parse(new Bytes(3).u8(0, 'Q')));
    assertThrows(NotQcow2Exception.class, () -> parse(new Bytes(0)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4, -1})
  void badVersion(int version) {
    var e = assertThrows(UnsupportedImageException.class, () -> parse(v3(112).u32(4, version)));
    assertTrue(e.getMessage().contains(Integer.toUnsignedString(version)), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 8, 22, 63, 64, -1})
  void badClusterBits(int bits) {
    var e = assertThrows(CorruptImageException.class, () -> parse(v2().u32(20, bits)));
    assertEquals(20, e.offset());
    assertTrue(e.getMessage().contains("cluster_bits"), e.getMessage());
  }

  @Test
  void clusterBitsBounds() throws IOException {
    assertEquals(512, parse(v2().u64(8, 0).u32(20, 9)).clusterSize());
    assertEquals(2 * 1024 * 1024, parse(v2().u32(20, 21)).clusterSize());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 72, 103, -8})
  void headerLengthTooSmall(int length) {
    var e = assertThrows(CorruptImageException.class, () -> parse(v3(112).u32(100, length)));
    assertEquals(100, e.offset());
    assertTrue(e.getMessage().contains("header_length"), e.getMessage());
  }

  @Test
  void headerLengthPastTheCluster() {
    var e = assertThrows(CorruptImageException.class,
        () -> parse(v3(520).u64(8, 0).u32(20, 9)));
    assertEquals(100, e.offset());
    assertTrue(e.getMessage().contains("exceeds the cluster size"), e.getMessage());
  }

  @Test
  void headerLengthPastTheBytesGiven() {
    Bytes b = v3(112).u32(100, 2048);
    var e = assertThrows(CorruptImageException.class, () -> parse(b));
    assertTrue(e.getMessage().contains("2048"), e.getMessage());
  }

  @Test
  void truncatedHeaders() {
    assertThrows(CorruptImageException.class, () -> parse(v2().resize(71)));
    assertThrows(CorruptImageException.class, () -> parse(v3(104).resize(103)));
    assertThrows(CorruptImageException.class, () -> parse(v2().resize(6)));
  }

  @Test
  void backingFileOffsetPastCluster0() throws IOException {
    assertEquals(65536, parse(v2().u64(8, 65536)).backingFileOffset());
    var e = assertThrows(CorruptImageException.class, () -> parse(v2().u64(8, 65537)));
    assertEquals(8, e.offset());
    assertThrows(CorruptImageException.class, () -> parse(v2().u64(8, -1L)));
  }

  @Test
  void compressionTypeBitRules() {
    var setWithDeflate = assertThrows(CorruptImageException.class,
        () -> parse(v3(112).u64(72, 0x8)));
    assertTrue(setWithDeflate.getMessage().contains("must not be set")
        || setWithDeflate.getMessage().contains("is set"), setWithDeflate.getMessage());
    assertEquals(72, setWithDeflate.offset());
    var clearWithZstd = assertThrows(CorruptImageException.class,
        () -> parse(v3(112).u8(104, 1)));
    assertEquals(72, clearWithZstd.offset());
    var unknown = assertThrows(UnsupportedImageException.class,
        () -> parse(v3(112).u64(72, 0x8).u8(104, 2)));
    assertTrue(unknown.getMessage().contains("compression type 2"), unknown.getMessage());
    assertThrows(UnsupportedImageException.class,
        () -> parse(v3(112).u64(72, 0x8).u8(104, 0xFF)));
  }

  @ParameterizedTest
  @ValueSource(ints = {7, 64, -1})
  void refcountOrderTooLarge(int order) {
    var e = assertThrows(CorruptImageException.class, () -> parse(v3(112).u32(96, order)));
    assertEquals(96, e.offset());
  }

  @Test
  void everyRefcountOrder() throws IOException {
    for (int order = 0; order <= 6; order++) {
      assertEquals(1 << order, parse(v3(112).u32(96, order)).refcountBits());
    }
  }

  @Test
  void parsesAtTheBufferPosition() throws IOException {
    byte[] raw = v2().array();
    ByteBuffer b = ByteBuffer.allocate(raw.length + 16);
    b.position(16);
    b.put(raw).position(16);
    assertEquals(0x30000, Header.parse(b, "x").l1TableOffset());
  }
}
