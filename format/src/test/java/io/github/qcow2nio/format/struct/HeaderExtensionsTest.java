package io.github.qcow2nio.format.struct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.struct.HeaderExtensions.RawExtension;
import io.github.qcow2nio.format.testing.Bytes;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cluster 0 after the header, built by hand from qcow2-facts.md section 2. */
class HeaderExtensionsTest {
  static final int CLUSTER = 4096;

  /** A v3 header (112 bytes) in a 4 KiB cluster 0, with a backing name at {@code backingAt}. */
  static Bytes cluster0(int backingAt, int backingLen) {
    return HeaderTest.v3(112).resize(CLUSTER)
        .u32(20, 12).u64(72, 0).u64(88, 0)
        .u64(8, backingAt).u32(16, backingLen);
  }

  static Header header(Bytes c) throws IOException {
    return Header.parse(c.buffer(), "t");
  }

  static HeaderExtensions parse(Bytes c) throws IOException {
    return HeaderExtensions.parse(c.buffer(), header(c));
  }

  /**
   * Every known extension, in the order QEMU writes them, each padded with zeros, then an unknown
   * one, the end marker, and the backing name right after it.
   */
  static Bytes everything() {
    Bytes c = cluster0(0, 0);
    int p = 112;
    c.u32(p, 0xE2792ACAL).u32(p + 4, 5).ascii(p + 8, "qcow2");               // -> 128
    p += 16;
    c.u32(p, 0x44415441L).u32(p + 4, 8).ascii(p + 8, "data.img");            // -> 144
    p += 16;
    c.u32(p, 0x0537BE77L).u32(p + 4, 16).u64(p + 8, 0x30000).u64(p + 16, 0x1234);  // -> 168
    p += 24;
    c.u32(p, 0x6803F857L).u32(p + 4, 96)                                      // -> 272
        .u8(p + 8, 0).u8(p + 9, 4).ascii(p + 10, "extended L2 entries")
        .u8(p + 56, 2).u8(p + 57, 0).ascii(p + 58, "bitmaps");
    p += 104;
    c.u32(p, 0x23852875L).u32(p + 4, 24)                                      // -> 304
        .u32(p + 8, 2).u32(p + 12, 0).u64(p + 16, 64).u64(p + 24, 0x40000);
    p += 32;
    c.u32(p, 0x12345678L).u32(p + 4, 5).ascii(p + 8, "hello");               // -> 320
    p += 16;
    p += 8;                                                                    // end marker
    c.ascii(p, "base.qcow2").u64(8, p).u32(16, 10);                          // name at 328
    return c;
  }

  @Test
  void everyExtensionType() throws IOException {
    HeaderExtensions e = parse(everything());
    assertEquals(Optional.of("qcow2"), e.backingFormat());
    assertEquals(Optional.of("data.img"), e.dataFile());
    assertEquals(Optional.of(new CryptoHeaderPointer(0x30000, 0x1234)), e.crypto());
    assertEquals(List.of(new FeatureNameTable.Entry(0, 4, "extended L2 entries"),
        new FeatureNameTable.Entry(2, 0, "bitmaps")), e.featureNames().orElseThrow().entries());
    assertEquals(Optional.of(new BitmapsExtension(2, 64, 0x40000)), e.bitmaps());
    assertEquals(List.of(new RawExtension(0x12345678, "hello".getBytes())), e.unknown());
    assertEquals(Optional.of("base.qcow2"), e.backingFile());
  }

  @Test
  void serializesInQemuOrderWithTheNameRightAfterTheEndMarker() throws IOException {
    Bytes c = everything();
    HeaderExtensions e = parse(c);
    byte[] area = e.extensionBytes();
    assertArrayEquals(c.range(112, 328), area);
    assertEquals(328, header(c).backingFileOffset());
  }

  @Test
  void noExtensions() throws IOException {
    HeaderExtensions e = parse(cluster0(0, 0));
    assertEquals(HeaderExtensions.none(), e);
    assertArrayEquals(new byte[8], HeaderExtensions.none().extensionBytes());
  }

  @Test
  void unknownExtensionsKeptInOrderWithNonzeroPadding() throws IOException {
    Bytes c = cluster0(0, 0);
    c.u32(112, 0xAAAA0001L).u32(116, 3).ascii(120, "abc").ascii(123, "PAD!X");   // junk padding
    c.u32(128, 0xAAAA0002L).u32(132, 8).u64(136, 0x0102030405060708L);           // no padding
    c.u32(144, 0xAAAA0003L).u32(148, 0);                                          // empty data
    HeaderExtensions e = parse(c);
    assertEquals(List.of(new RawExtension(0xAAAA0001, "abc".getBytes()),
        new RawExtension(0xAAAA0002, c.range(136, 144)),
        new RawExtension(0xAAAA0003, new byte[0])), e.unknown());
    // Rewritten with zero padding, in the same order, then the end marker.
    Bytes want = new Bytes(48).u32(0, 0xAAAA0001L).u32(4, 3).ascii(8, "abc")
        .u32(16, 0xAAAA0002L).u32(20, 8).u64(24, 0x0102030405060708L)
        .u32(32, 0xAAAA0003L).u32(36, 0);
    assertArrayEquals(want.array(), e.extensionBytes());
  }

  @Test
  void endMarkerStopsParsing() throws IOException {
    Bytes c = cluster0(0, 0);
    c.u32(112, 0).u32(116, 0);
    c.u32(120, 0xE2792ACAL).u32(124, 0xFFFF);   // garbage after the end: never read
    assertEquals(HeaderExtensions.none(), parse(c));
  }

  @Test
  void endMarkerWithNonzeroLengthStillEnds() throws IOException {
    Bytes c = cluster0(0, 0).u32(112, 0).u32(116, 0x7FFFFFFF);
    assertEquals(HeaderExtensions.none(), parse(c));
  }

  @Test
  void areaEndsAtTheLimitWithoutAnEndMarker() throws IOException {
    // The extension ends exactly at backing_file_offset: no end marker needed.
    Bytes c = cluster0(128, 4);
    c.u32(112, 0xE2792ACAL).u32(116, 3).ascii(120, "raw").ascii(128, "base");
    HeaderExtensions e = parse(c);
    assertEquals(Optional.of("raw"), e.backingFormat());
    assertEquals(Optional.of("base"), e.backingFile());
  }

  @Test
  void extensionDataCrossingTheBackingNameIsAnError() {
    Bytes c = cluster0(128, 4);
    c.u32(112, 0x44415441L).u32(116, 9).ascii(120, "123456789");
    var e = assertThrows(CorruptImageException.class, () -> parse(c));
    assertEquals(112, e.offset());
    assertTrue(e.getMessage().contains("0x44415441"), e.getMessage());
  }

  @Test
  void extensionLengthPastCluster0() {
    Bytes c = cluster0(0, 0).u32(112, 0x12345678L).u32(116, CLUSTER);
    var e = assertThrows(CorruptImageException.class, () -> parse(c));
    assertEquals(112, e.offset());
    Bytes huge = cluster0(0, 0).u32(112, 0x12345678L).u32(116, 0xFFFFFFFFL);
    assertThrows(CorruptImageException.class, () -> parse(huge));
  }

  @Test
  void extensionHeaderCrossingTheLimit() {
    // 4 bytes of room before the backing name: not enough for type and length.
    Bytes c = cluster0(116, 4).u32(112, 0x12345678L).ascii(116, "name");
    var e = assertThrows(CorruptImageException.class, () -> parse(c));
    assertEquals(112, e.offset());
  }

  @Test
  void extensionsStartAt72InVersion2() throws IOException {
    Bytes c = HeaderTest.v2().resize(512).u32(20, 9).u64(8, 0).u32(16, 0)
        .u32(72, 0xE2792ACAL).u32(76, 5).ascii(80, "qcow2");
    assertEquals(Optional.of("qcow2"), HeaderExtensions.parse(c.buffer(),
        Header.parse(c.buffer(), "t")).backingFormat());
  }

  @Test
  void extensionsStartAtHeaderLength() throws IOException {
    Bytes c = HeaderTest.v3(120).resize(CLUSTER).u32(20, 12).u64(8, 0).u64(72, 0).u64(88, 0)
        .u64(112, 0x0102).u32(120, 0x44415441L).u32(124, 1).ascii(128, "d");
    assertEquals(Optional.of("d"), parse(c).dataFile());
  }

  @Test
  void backingFormatLength() throws IOException {
    Bytes ok = cluster0(0, 0).u32(112, 0xE2792ACAL).u32(116, 15).ascii(120, "123456789012345");
    assertEquals(Optional.of("123456789012345"), parse(ok).backingFormat());
    Bytes bad = cluster0(0, 0).u32(112, 0xE2792ACAL).u32(116, 16);
    var e = assertThrows(CorruptImageException.class, () -> parse(bad));
    assertEquals(112, e.offset());
    assertTrue(e.getMessage().contains("backing file format"), e.getMessage());
  }

  @Test
  void backingNameAtMaximumLength() throws IOException {
    Bytes c = cluster0(1024, 1023);
    for (int i = 0; i < 1023; i++) {
      c.u8(1024 + i, 'a' + i % 26);
    }
    assertEquals(1023, parse(c).backingFile().orElseThrow().length());
  }

  @Test
  void backingNameTooLong() {
    var e = assertThrows(CorruptImageException.class, () -> parse(cluster0(1024, 1024)));
    assertEquals(1024, e.offset());
    assertTrue(e.getMessage().contains("backing file name"), e.getMessage());
    assertThrows(CorruptImageException.class, () -> parse(cluster0(1024, -1)));
  }

  @Test
  void backingNamePastCluster0() {
    var e = assertThrows(CorruptImageException.class, () -> parse(cluster0(4000, 100)));
    assertEquals(4000, e.offset());
  }

  @Test
  void backingNamePastTheEndOfTheFile() throws IOException {
    Bytes c = cluster0(400, 50);
    Header h = header(c);
    var e = assertThrows(CorruptImageException.class,
        () -> HeaderExtensions.parse(c.resize(420).buffer(), h));
    assertEquals(400, e.offset());
    assertTrue(e.getMessage().contains("past the end"), e.getMessage());
  }

  @Test
  void featureNameTable() throws IOException {
    String full = "0123456789012345678901234567890123456789012345";   // 46 bytes, no NUL
    Bytes c = cluster0(0, 0).u32(112, 0x6803F857L).u32(116, 48)
        .u8(120, 1).u8(121, 63).ascii(122, full);
    FeatureNameTable t = parse(c).featureNames().orElseThrow();
    assertEquals(Optional.of(full), t.name(1, 63));
    assertEquals(Optional.empty(), t.name(0, 63));
    assertArrayEquals(c.range(120, 168), t.toBytes());
  }

  @Test
  void standardFeatureNamesAreQemus384Bytes() {
    FeatureNameTable t = new FeatureNameTable(Features.standardNames());
    byte[] b = t.toBytes();
    assertEquals(384, b.length);
    Bytes want = new Bytes(384);
    String[] names = {"dirty bit", "corrupt bit", "external data file", "compression type",
        "extended L2 entries", "lazy refcounts", "bitmaps", "raw external data"};
    int[][] typeBit = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 0}, {2, 0}, {2, 1}};
    for (int i = 0; i < 8; i++) {
      want.u8(48 * i, typeBit[i][0]).u8(48 * i + 1, typeBit[i][1]).ascii(48 * i + 2, names[i]);
    }
    assertArrayEquals(want.array(), b);
  }

  /** A bitmaps extension, with the autoclear bit that says it is consistent. */
  static Bytes bitmaps(int len, int nb, int reserved, long dirSize, long dirOffset) {
    return cluster0(0, 0).u64(88, 1).u32(112, 0x23852875L).u32(116, len)
        .u32(120, nb).u32(124, reserved).u64(128, dirSize).u64(136, dirOffset);
  }

  @Test
  void bitmapsExtension() throws IOException {
    BitmapsExtension b = parse(bitmaps(24, 65535, 0, 1024L * 65535, 0x1000)).bitmaps()
        .orElseThrow();
    assertEquals(65535, b.nbBitmaps());
    assertEquals(1024L * 65535, b.directorySize());
    assertEquals(0x1000, b.directoryOffset());
    assertArrayEquals(bitmaps(24, 65535, 0, 1024L * 65535, 0x1000).range(120, 144), b.toBytes());
  }

  @Test
  void bitmapsExtensionValidation() {
    for (Bytes bad : List.of(
        bitmaps(23, 1, 0, 24, 0x1000),              // wrong length
        bitmaps(32, 1, 0, 24, 0x1000),
        bitmaps(24, 1, 1, 24, 0x1000),              // reserved field
        bitmaps(24, 0, 0, 24, 0x1000),              // zero bitmaps
        bitmaps(24, 65536, 0, 24, 0x1000),          // too many
        bitmaps(24, -1, 0, 24, 0x1000),
        bitmaps(24, 1, 0, 0, 0x1000),               // empty directory
        bitmaps(24, 1, 0, 1024L * 65535 + 1, 0x1000),
        bitmaps(24, 1, 0, -1L, 0x1000),
        bitmaps(24, 1, 0, 24, 0),                   // directory at 0
        bitmaps(24, 1, 0, 24, 0x1200),              // unaligned
        bitmaps(24, 1, 0, 24, -4096L))) {
      var e = assertThrows(CorruptImageException.class, () -> parse(bad));
      assertEquals(112, e.offset());
      assertTrue(e.getMessage().contains("bitmaps header extension"), e.getMessage());
    }
  }

  @Test
  void cryptoHeaderPointerValidation() {
    Bytes shortOne = cluster0(0, 0).u32(112, 0x0537BE77L).u32(116, 15);
    assertThrows(CorruptImageException.class, () -> parse(shortOne));
    Bytes unaligned = cluster0(0, 0).u32(112, 0x0537BE77L).u32(116, 16).u64(120, 0x1800);
    var e = assertThrows(CorruptImageException.class, () -> parse(unaligned));
    assertEquals(112, e.offset());
    assertTrue(e.getMessage().contains("not a multiple of the cluster size"), e.getMessage());
  }

  @Test
  void emptyBackingNameMeansNoBackingFile() throws IOException {
    // qemu-img 7.2 opens c512.qcow2 with backing_file_offset 0x78 and backing_file_size 0 as an
    // image without a backing file (info shows none; convert gives the same raw contents).
    Bytes c = cluster0(0x78, 0);
    HeaderExtensions e = parse(c);
    assertEquals(Optional.empty(), e.backingFile());
    assertEquals(0x78, header(c).extensionsLimit());
  }

  @Test
  void bitmapsExtensionWithoutItsAutoclearBitIsOnlyCheckedForLength() throws IOException {
    // qemu-img 7.2 opens c512.qcow2 carrying a bitmaps extension with zero bitmaps, a nonzero
    // reserved field and an unaligned directory, when autoclear bit 0 is clear (it warns that the
    // bitmaps are inconsistent); a length other than 24 fails even then.
    Bytes c = bitmaps(24, 0, 5, 0, 0x1234).u64(88, 0);
    assertTrue(parse(c).bitmaps().isPresent());
    Bytes badLength = bitmaps(20, 1, 0, 32, 0x1000).u64(88, 0);
    var e = assertThrows(CorruptImageException.class, () -> parse(badLength));
    assertEquals(112, e.offset());
  }

  @Test
  void featureNameTableWithAPartialEntry() throws IOException {
    // qemu-img 7.2 opens an image whose feature table is 50 bytes long; whole entries count.
    Bytes c = cluster0(0, 0).u32(112, 0x6803F857L).u32(116, 50)
        .u8(120, 0).u8(121, 7).ascii(122, "whatever");
    FeatureNameTable t = parse(c).featureNames().orElseThrow();
    assertEquals(List.of(new FeatureNameTable.Entry(0, 7, "whatever")), t.entries());
  }
}
