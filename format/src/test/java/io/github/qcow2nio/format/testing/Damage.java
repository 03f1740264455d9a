package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Damages an image by writing bytes directly, the way a bug or a lost write would: refcounts too
 * high or too low, wrong COPIED flags, entries pointing past the end of the file, unaligned,
 * into other metadata, or with reserved bits. Each kind is applied to the first data cluster of
 * the active tables.
 */
public enum Damage {
  /** A cluster inside the file that nothing references gets refcount 1. */
  LEAK,
  /** The first data cluster's refcount is one too high. */
  REFCOUNT_HIGH,
  /** The first data cluster's refcount is one too low (it must be shared, by a snapshot). */
  REFCOUNT_LOW,
  /** The first data cluster's refcount is 0: the refcount structure must be rebuilt. */
  REFCOUNT_ZERO,
  /** The first data entry's COPIED flag is flipped. */
  COPIED_L2,
  /** The first L1 entry's COPIED flag is flipped. */
  COPIED_L1,
  /** The first data entry points ten clusters past the end of the file. */
  PAST_END,
  /** The first L1 entry points ten clusters past the end of the file. */
  L1_PAST_END,
  /** The first data entry's offset is 512 bytes into its cluster. */
  UNALIGNED,
  /** The first L1 entry's offset is 512 bytes into its L2 table. */
  UNALIGNED_L1,
  /** The first data entry points at the first refcount block. */
  OVERLAP_REFBLOCK,
  /** The first data entry points at the active L1 table. */
  OVERLAP_L1,
  /** The first data entry has a reserved bit set. */
  RESERVED;

  private static final long OFFSET = 0x00FFFFFFFFFFFE00L;

  public void apply(Path image) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer hb = ByteBuffer.allocate(4096);
      ch.read(hb, 0);
      Header h = Header.parse(hb.flip(), image.toString());
      int cs = h.clusterSize();
      long size = ch.size();
      long l1Entry = getLong(ch, h.l1TableOffset());
      long entryAt = firstDataEntry(ch, h);
      long entry = getLong(ch, entryAt);
      long data = (entry & OFFSET) / cs;
      switch (this) {
        case LEAK -> {
          long free = -1;
          for (long c = 1; c < size / cs && free < 0; c++) {
            if (refcount(ch, h, c) == 0) {
              free = c;
            }
          }
          if (free < 0) {
            free = (size + cs - 1) / cs;
            ch.write(ByteBuffer.allocate(cs), free * cs);
          }
          setRefcount(ch, h, free, 1);
        }
        case REFCOUNT_HIGH -> setRefcount(ch, h, data, refcount(ch, h, data) + 1);
        case REFCOUNT_LOW -> setRefcount(ch, h, data, refcount(ch, h, data) - 1);
        case REFCOUNT_ZERO -> setRefcount(ch, h, data, 0);
        case COPIED_L2 -> putLong(ch, entryAt, entry ^ (1L << 63));
        case COPIED_L1 -> putLong(ch, h.l1TableOffset(), l1Entry ^ (1L << 63));
        case PAST_END -> putLong(ch, entryAt, (entry & ~OFFSET) | ((size / cs + 10) * cs));
        case L1_PAST_END -> putLong(ch, h.l1TableOffset(),
            (l1Entry & (1L << 63)) | ((size / cs + 10) * cs));
        case UNALIGNED -> putLong(ch, entryAt, entry + 512);
        case UNALIGNED_L1 -> putLong(ch, h.l1TableOffset(), l1Entry + 512);
        case OVERLAP_REFBLOCK -> putLong(ch, entryAt,
            (entry & ~OFFSET) | (getLong(ch, h.refcountTableOffset()) & OFFSET));
        case OVERLAP_L1 -> putLong(ch, entryAt,
            (entry & ~OFFSET) | (h.l1TableOffset() & -cs));
        case RESERVED -> putLong(ch, entryAt, entry | (1L << 56));
        default -> throw new IllegalStateException(name());
      }
    }
  }

  /** The file offset of the first entry of the active tables that maps a host cluster. */
  private static long firstDataEntry(FileChannel ch, Header h) throws IOException {
    int step = h.hasExtendedL2() ? 16 : 8;
    for (int i = 0; i < h.l1Size(); i++) {
      long l2 = getLong(ch, h.l1TableOffset() + 8L * i) & OFFSET;
      if (l2 == 0) {
        continue;
      }
      for (long k = 0; k < h.clusterSize(); k += step) {
        long e = getLong(ch, l2 + k);
        if ((e & (1L << 62)) == 0 && (e & OFFSET) != 0) {
          return l2 + k;
        }
      }
    }
    throw new IllegalStateException("no data cluster to damage");
  }

  private static long refcount(FileChannel ch, Header h, long cluster) throws IOException {
    long[] at = refcountBlock(ch, h, cluster);
    return block(ch, h, at[0]).get((int) at[1]);
  }

  private static void setRefcount(FileChannel ch, Header h, long cluster, long value)
      throws IOException {
    long[] at = refcountBlock(ch, h, cluster);
    RefcountBlock b = block(ch, h, at[0]);
    b.set((int) at[1], value);
    ch.write(ByteBuffer.wrap(b.bytes()), at[0]);
  }

  private static long[] refcountBlock(FileChannel ch, Header h, long cluster)
      throws IOException {
    long per = RefcountBlock.entries(h.clusterBits(), h.refcountOrder());
    long block = getLong(ch, h.refcountTableOffset() + 8 * (cluster / per)) & OFFSET;
    return new long[] {block, cluster % per};
  }

  private static RefcountBlock block(FileChannel ch, Header h, long offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(h.clusterSize());
    ch.read(b, offset);
    return new RefcountBlock(b.array(), h.refcountOrder());
  }

  private static long getLong(FileChannel ch, long at) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8);
    ch.read(b, at);
    return b.getLong(0);
  }

  private static void putLong(FileChannel ch, long at, long value) throws IOException {
    ch.write(ByteBuffer.allocate(8).putLong(0, value), at);
  }
}
