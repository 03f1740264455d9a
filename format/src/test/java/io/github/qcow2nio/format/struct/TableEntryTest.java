package io.github.qcow2nio.format.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** L1 and L2 entries and compressed descriptors, against the masks and worked values of the spec. */
class TableEntryTest {

  @Test
  void l1Masks() {
    assertEquals(0x00FFFFFFFFFFFE00L, L1Entry.OFFSET_MASK);
    assertEquals(0x7F000000000001FFL, L1Entry.RESERVED_MASK);
    assertEquals(0x8000000000000000L, L1Entry.COPIED);
    // The three parts cover all 64 bits exactly once.
    assertEquals(-1L, L1Entry.OFFSET_MASK | L1Entry.RESERVED_MASK | L1Entry.COPIED);
    assertEquals(0, L1Entry.OFFSET_MASK & L1Entry.RESERVED_MASK);
  }

  @Test
  void l1Entry() {
    L1Entry e = new L1Entry(0x8000000000050000L);
    assertEquals(0x50000, e.l2Offset());
    assertTrue(e.copied());
    assertFalse(e.hasReservedBits());
    assertEquals(0x8000000000050000L, L1Entry.of(0x50000, true).raw());
    assertEquals(0x0000000000050000L, L1Entry.of(0x50000, false).raw());
    // Bits 56..62 and 0..8 are reserved; the offset is bits 9..55.
    L1Entry r = new L1Entry(0x0100000000050001L);
    assertTrue(r.hasReservedBits());
    assertEquals(0x50000, r.l2Offset());
    assertEquals(0x00FFFFFFFFFFFE00L, L1Entry.l2Offset(-1L));
    assertEquals(0x00FFFFFFFFFFFE00L, L1Entry.of(-1L, false).raw());
  }

  @Test
  void l2Masks() {
    assertEquals(0x00FFFFFFFFFFFE00L, L2Entry.OFFSET_MASK);
    assertEquals(0x3F000000000001FEL, L2Entry.RESERVED_MASK);
    assertEquals(1L, L2Entry.ZERO_FLAG);
    assertEquals(0x4000000000000000L, L2Entry.COMPRESSED);
    assertEquals(0x8000000000000000L, L2Entry.COPIED);
    assertEquals(-1L, L2Entry.OFFSET_MASK | L2Entry.RESERVED_MASK | L2Entry.ZERO_FLAG
        | L2Entry.COMPRESSED | L2Entry.COPIED);
  }

  @Test
  void l2StandardEntry() {
    L2Entry e = new L2Entry(0x8000000000070000L, 0);
    assertEquals(0x70000, e.hostOffset());
    assertTrue(e.copied());
    assertFalse(e.isCompressed());
    assertFalse(e.zeroFlag());
    assertFalse(e.hasReservedBits());
    assertEquals(e, L2Entry.normal(0x70000, true));
    L2Entry zeroAlloc = new L2Entry(0x0000000000070001L, 0);
    assertTrue(zeroAlloc.zeroFlag());
    assertFalse(zeroAlloc.hasReservedBits(), "bit 0 is the zero flag, not reserved");
    assertTrue(new L2Entry(0x0000000000070002L, 0).hasReservedBits());
    assertTrue(new L2Entry(0x2000000000070000L, 0).hasReservedBits());
    // A compressed descriptor uses those bits for its own fields.
    L2Entry c = new L2Entry(0x7FFFFFFFFFFFFFFFL, 0);
    assertTrue(c.isCompressed());
    assertFalse(c.hasReservedBits());
    assertTrue(L2Entry.isCompressed(0x4000000000000000L));
    assertEquals(0x00FFFFFFFFFFFE00L, L2Entry.hostOffset(-1L));
  }

  @Test
  void subclusterBitmap() {
    long bitmap = 0x8000000100000003L;   // zero: subclusters 0 and 31; alloc: 0 and 1
    assertEquals(0x00000003, L2Entry.allocBits(bitmap));
    assertEquals(0x80000001, L2Entry.zeroBits(bitmap));
    assertEquals(0xFFFFFFFFL, L2Entry.ALLOC_MASK);
    assertEquals(32, L2Entry.SUBCLUSTERS);
  }

  /** The table of worked values in qcow2-facts.md 5.1. */
  @ParameterizedTest
  @CsvSource({
      "9,  61, 1FFFFFFFFFFFFFFF, 1",
      "12, 58, 03FFFFFFFFFFFFFF, 15",
      "16, 54, 003FFFFFFFFFFFFF, 255",
      "21, 49, 0001FFFFFFFFFFFF, 8191"})
  void compressedMasks(int clusterBits, int x, String offsetMask, int maxCount) {
    assertEquals(x, CompressedDescriptor.offsetBits(clusterBits));
    assertEquals(Long.parseUnsignedLong(offsetMask, 16), CompressedDescriptor.offsetMask(clusterBits));
    assertEquals(maxCount, CompressedDescriptor.countMask(clusterBits));
    // Offset and count fields plus bits 62 and 63 tile the word.
    long count = CompressedDescriptor.countMask(clusterBits) << x;
    assertEquals(0, count & CompressedDescriptor.offsetMask(clusterBits));
    assertEquals(0x3FFFFFFFFFFFFFFFL, count | CompressedDescriptor.offsetMask(clusterBits));
  }

  @ParameterizedTest
  @CsvSource({
      // cluster_bits, word (hex), offset (hex), additional sectors
      "9,  6000000000000200, 200, 1",
      "9,  4000000000000200, 200, 0",
      "9,  E000000000000201, 201, 1",          // COPIED set in error: not part of the fields
      "12, 7C00000000000ABC, ABC, 15",
      "12, 4400000000012345, 12345, 1",
      "16, 40C0000000012345, 12345, 3",
      "16, 7FC0000000000000, 0, 255",
      "16, 403FFFFFFFFFFFFF, 3FFFFFFFFFFFFF, 0",
      "21, 7FFFFFFFFFFFFFFF, 1FFFFFFFFFFFF, 8191",
      "21, 4002000000100000, 100000, 1"})
  void compressedDecodeEncode(int clusterBits, String word, String offset, int count) {
    long w = Long.parseUnsignedLong(word, 16);
    CompressedDescriptor d = CompressedDescriptor.decode(w, clusterBits);
    assertEquals(Long.parseUnsignedLong(offset, 16), d.offset());
    assertEquals(count, d.additionalSectors());
    assertEquals(w & ~L2Entry.COPIED, d.encode(clusterBits));
  }

  @Test
  void compressedReadLength() {
    // nsec = count + 1; csize = nsec * 512 - (offset mod 512)
    assertEquals(4 * 512 - 0x145, new CompressedDescriptor(0x12345, 3).readLength());
    assertEquals(512, new CompressedDescriptor(0x400, 0).readLength());
    assertEquals(1, new CompressedDescriptor(0x5FF, 0).readLength());
    assertEquals(8192 * 512, new CompressedDescriptor(0, 8191).readLength());
  }

  @Test
  void compressedOfLength() {
    assertEquals(new CompressedDescriptor(1000, 1), CompressedDescriptor.of(1000, 100));
    assertEquals(new CompressedDescriptor(1024, 0), CompressedDescriptor.of(1024, 512));
    assertEquals(new CompressedDescriptor(1024, 1), CompressedDescriptor.of(1024, 513));
    assertEquals(new CompressedDescriptor(1535, 0), CompressedDescriptor.of(1535, 1));
    assertEquals(new CompressedDescriptor(1535, 1), CompressedDescriptor.of(1535, 2));
  }
}
