package io.github.qcow2nio.provider.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Builds small, valid qcow2 version 3 images in memory, so that the provider's tests run where
 * qemu-img is absent and on any file system. The layout is the plainest one: header, L1 table,
 * refcount table, refcount blocks, L2 tables, then one host cluster per written guest cluster,
 * every refcount exact (qemu-img check finds nothing: ImageBuilderTest proves it).
 *
 * <p>The builder is also the model: {@link #contents()} is what the disk reads, given its
 * backing disk's contents.
 */
public final class TestImage {
  private static final int MAGIC = 0x514649FB;
  private static final long COPIED = 1L << 63;
  private static final int BACKING_FORMAT_EXT = 0xE2792ACA;

  private final long size;
  private final int clusterBits;
  private final byte[] contents;
  private final BitSet allocated = new BitSet();
  private String backingFile;
  private String backingFormat;

  private TestImage(long size, int clusterBits) {
    if (size % 512 != 0 || size > 64L << 20) {
      throw new IllegalArgumentException("test images are multiples of 512 bytes, at most 64M");
    }
    this.size = size;
    this.clusterBits = clusterBits;
    this.contents = new byte[(int) size];
  }

  /** An empty disk of {@code size} bytes with clusters of {@code 1 << clusterBits}. */
  public static TestImage of(long size, int clusterBits) {
    return new TestImage(size, clusterBits);
  }

  public TestImage backing(String file, String format) {
    this.backingFile = file;
    this.backingFormat = format;
    return this;
  }

  /** Writes {@code data} at guest {@code offset}; the clusters it touches become allocated. */
  public TestImage write(long offset, byte[] data) {
    System.arraycopy(data, 0, contents, (int) offset, data.length);
    int c = clusterSize();
    for (long o = offset / c * c; o < offset + data.length; o += c) {
      allocated.set((int) (o / c));
    }
    return this;
  }

  /** Fills the disk with pseudo-random bytes (every cluster allocated). */
  public TestImage random(long seed) {
    byte[] data = new byte[(int) size];
    new java.util.Random(seed).nextBytes(data);
    return write(0, data);
  }

  public long size() {
    return size;
  }

  public int clusterSize() {
    return 1 << clusterBits;
  }

  /** What the disk reads, over a backing disk that reads {@code backing} (null for none). */
  public byte[] contents(byte[] backing) {
    byte[] out = new byte[(int) size];
    if (backing != null) {
      System.arraycopy(backing, 0, out, 0, (int) Math.min(size, backing.length));
    }
    int c = clusterSize();
    for (int i = allocated.nextSetBit(0); i >= 0; i = allocated.nextSetBit(i + 1)) {
      int from = i * c;
      int len = (int) Math.min(c, size - from);
      System.arraycopy(contents, from, out, from, len);
    }
    return out;
  }

  /** What the disk reads when it has no backing file. */
  public byte[] contents() {
    return contents(null);
  }

  /** The image file's bytes. */
  public byte[] toBytes() {
    int c = clusterSize();
    long perL2 = (long) c / 8 * c;
    int l1Size = (int) ((size + perL2 - 1) / perL2);
    int l1Clusters = Math.max(1, (l1Size * 8 + c - 1) / c);
    int[] l2Of = new int[l1Size];
    Arrays.fill(l2Of, -1);
    int l2Count = 0;
    for (int i = allocated.nextSetBit(0); i >= 0; i = allocated.nextSetBit(i + 1)) {
      int l1Index = (int) ((long) i * c / perL2);
      if (l2Of[l1Index] < 0) {
        l2Of[l1Index] = l2Count++;
      }
    }
    int dataCount = allocated.cardinality();
    int perBlock = c / 2; // 16-bit refcounts
    int fixed = 1 + l1Clusters + 1 + l2Count + dataCount;
    int blocks = 1;
    while ((long) blocks * perBlock < fixed + blocks) {
      blocks++;
    }
    int total = fixed + blocks;
    if (blocks > c / 8) {
      throw new IllegalStateException("image too big for one refcount table cluster");
    }
    long l1Offset = c;
    long rtOffset = (long) (1 + l1Clusters) * c;
    long rbOffset = rtOffset + c;
    long l2Start = rbOffset + (long) blocks * c;
    long dataStart = l2Start + (long) l2Count * c;
    ByteBuffer img = ByteBuffer.allocate(total * c);

    img.putInt(0, MAGIC).putInt(4, 3);
    img.putInt(20, clusterBits).putLong(24, size).putInt(36, l1Size).putLong(40, l1Offset);
    img.putLong(48, rtOffset).putInt(56, 1).putInt(96, 4).putInt(100, 112);
    int ext = 112;
    if (backingFormat != null) {
      byte[] f = backingFormat.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      img.putInt(ext, BACKING_FORMAT_EXT).putInt(ext + 4, f.length);
      img.put(ext + 8, f);
      ext += 8 + (f.length + 7) / 8 * 8;
    }
    ext += 8; // end-of-extensions marker: type 0, length 0
    if (backingFile != null) {
      byte[] b = backingFile.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      img.put(ext, b);
      img.putLong(8, ext).putInt(16, b.length);
    }

    for (int i = 0; i < l1Size; i++) {
      if (l2Of[i] >= 0) {
        img.putLong((int) l1Offset + i * 8, (l2Start + (long) l2Of[i] * c) | COPIED);
      }
    }
    int n = 0;
    for (int i = allocated.nextSetBit(0); i >= 0; i = allocated.nextSetBit(i + 1)) {
      long host = dataStart + (long) n++ * c;
      long guest = (long) i * c;
      int l1Index = (int) (guest / perL2);
      int l2Index = (int) ((guest % perL2) / c);
      img.putLong((int) (l2Start + (long) l2Of[l1Index] * c + l2Index * 8), host | COPIED);
      int len = (int) Math.min(c, size - guest);
      img.put((int) host, contents, (int) guest, len);
    }
    for (int b = 0; b < blocks; b++) {
      img.putLong((int) rtOffset + b * 8, rbOffset + (long) b * c);
    }
    for (int i = 0; i < total; i++) {
      img.putShort((int) rbOffset + i * 2, (short) 1);
    }
    return img.array();
  }
}
