package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import io.github.qcow2nio.fat.FatType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The file allocation table, held in memory as its raw bytes (only as many as the volume's
 * clusters need, so memory follows the data region, not a hostile FAT size). Changes are written
 * back by sector to every copy, so the copies stay identical. Not thread-safe: the volume's lock
 * guards it.
 */
public final class FatTable {
  /** Entries beyond this many bytes of FAT are refused rather than allocated. */
  static final long MAX_FAT_BYTES = 256L << 20;

  private final Device device;
  private final BootSector boot;
  private final FatType type;
  private final byte[] raw;
  private final long entries;
  private final BitSet dirty = new BitSet();
  private long free;
  private long nextFree;

  private FatTable(Device device, BootSector boot, byte[] raw) {
    this.device = device;
    this.boot = boot;
    this.type = boot.type();
    this.raw = raw;
    this.entries = boot.clusterCount() + 2;
  }

  /** Reads the active copy (the first unless FAT32 mirroring is off). */
  public static FatTable load(Device device, BootSector boot) throws IOException {
    long need = neededBytes(boot);
    if (need > MAX_FAT_BYTES) {
      throw new FatException("the FAT of " + boot.clusterCount() + " clusters needs " + need
          + " bytes of memory; this reader holds at most " + MAX_FAT_BYTES);
    }
    int active = boot.fat32() && (boot.extFlags() & 0x80) != 0 ? boot.extFlags() & 0x0f : 0;
    long pos = (boot.fatStartSector() + active * boot.fatSize()) * boot.bytesPerSector();
    byte[] raw = new byte[(int) need];
    device.readFully(pos, ByteBuffer.wrap(raw), "FAT");
    FatTable t = new FatTable(device, boot, raw);
    for (long c = 2; c < t.entries; c++) {
      if (t.get(c) == 0) {
        t.free++;
      }
    }
    t.nextFree = 2;
    if (t.hasFsInfo()) {
      t.setNextFreeHint(FsInfo.parse(t.readFsInfo()).nextFree());
    }
    return t;
  }

  /** Bytes covering every entry, rounded up to whole sectors. */
  static long neededBytes(BootSector boot) {
    long bits = boot.type() == FatType.FAT32 ? 32 : boot.type().bits();
    long bytes = ((boot.clusterCount() + 2) * bits + 7) / 8;
    long bps = boot.bytesPerSector();
    return Math.min((bytes + bps - 1) / bps * bps, boot.fatSize() * bps);
  }

  public FatType type() {
    return type;
  }

  /** Entries, counting the two reserved ones: valid data clusters are 2..entries-1. */
  public long entries() {
    return entries;
  }

  public long freeCount() {
    return free;
  }

  public long nextFreeHint() {
    return nextFree;
  }

  public void setNextFreeHint(long hint) {
    if (hint >= 2 && hint < entries) {
      nextFree = hint;
    }
  }

  public long endOfChain() {
    return switch (type) {
      case FAT12 -> 0xFFF;
      case FAT16 -> 0xFFFF;
      case FAT32 -> 0x0FFFFFFF;
    };
  }

  public boolean isEndOfChain(long value) {
    return value >= (endOfChain() & ~7L);
  }

  public long get(long n) {
    int i = (int) n;
    return switch (type) {
      case FAT12 -> {
        int off = i + i / 2;
        int v = (raw[off] & 0xff) | (raw[off + 1] & 0xff) << 8;
        yield (i & 1) != 0 ? v >>> 4 : v & 0xfff;
      }
      case FAT16 -> (raw[2 * i] & 0xff) | (raw[2 * i + 1] & 0xff) << 8;
      case FAT32 -> ((raw[4 * i] & 0xffL) | (raw[4 * i + 1] & 0xffL) << 8
          | (raw[4 * i + 2] & 0xffL) << 16 | (raw[4 * i + 3] & 0xffL) << 24) & 0x0FFFFFFFL;
    };
  }

  public void set(long n, long value) {
    if (n < 2 || n >= entries) {
      throw new IllegalArgumentException("cluster " + n + " outside 2.." + (entries - 1));
    }
    long old = get(n);
    if (old == 0 && value != 0) {
      free--;
    } else if (old != 0 && value == 0) {
      free++;
    }
    int i = (int) n;
    int off;
    int len;
    switch (type) {
      case FAT12 -> {
        off = i + i / 2;
        len = 2;
        int v = (raw[off] & 0xff) | (raw[off + 1] & 0xff) << 8;
        v = (i & 1) != 0 ? (v & 0x000f) | (int) (value & 0xfff) << 4
            : (v & 0xf000) | (int) (value & 0xfff);
        raw[off] = (byte) v;
        raw[off + 1] = (byte) (v >>> 8);
      }
      case FAT16 -> {
        off = 2 * i;
        len = 2;
        raw[off] = (byte) value;
        raw[off + 1] = (byte) (value >>> 8);
      }
      default -> {
        off = 4 * i;
        len = 4;
        // The top four bits are reserved: kept as they are.
        long v = (value & 0x0FFFFFFFL) | (raw[off + 3] & 0xf0L) << 24;
        raw[off] = (byte) v;
        raw[off + 1] = (byte) (v >>> 8);
        raw[off + 2] = (byte) (v >>> 16);
        raw[off + 3] = (byte) (v >>> 24);
      }
    }
    int bps = boot.bytesPerSector();
    dirty.set(off / bps, (off + len - 1) / bps + 1);
  }

  /**
   * The clusters of the chain from {@code first}, checked: every link inside the volume and not
   * free or bad, and no more links than clusters (so a loop is found after one pass).
   */
  public long[] chain(long first, String owner) throws FatException {
    if (first == 0) {
      return new long[0];
    }
    long[] out = new long[8];
    int n = 0;
    long c = first;
    while (true) {
      if (c < 2 || c >= entries) {
        throw FatException.corrupt("cluster chain of " + owner, fatOffset(n == 0 ? 0 : out[n - 1]),
            "a cluster in 2.." + (entries - 1) + ", got " + c);
      }
      if (n >= entries - 2) {
        throw FatException.corrupt("cluster chain of " + owner, fatOffset(c),
            "an end of chain within " + (entries - 2) + " clusters (the chain loops)");
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = c;
      long next = get(c);
      if (isEndOfChain(next)) {
        return Arrays.copyOf(out, n);
      }
      if (next == 0 || next == 1 || next == endOfChain() - 8) {
        throw FatException.corrupt("FAT entry of cluster " + c + " in the chain of " + owner,
            fatOffset(c), "a next cluster or end of chain, got " + next);
      }
      c = next;
    }
  }

  private long fatOffset(long cluster) {
    return boot.fatStartSector() * boot.bytesPerSector() + cluster * (type == FatType.FAT32 ? 4
        : type == FatType.FAT16 ? 2 : 1) + (type == FatType.FAT12 ? cluster / 2 : 0);
  }

  /** A free cluster, marked end-of-chain; searched from the next-free hint round the volume. */
  public long allocate() throws IOException {
    if (free == 0) {
      throw new IOException("no space left on the FAT volume");
    }
    long span = entries - 2;
    for (long k = 0; k < span; k++) {
      long c = 2 + (nextFree - 2 + k) % span;
      if (get(c) == 0) {
        set(c, endOfChain());
        nextFree = c + 1 < entries ? c + 1 : 2;
        return c;
      }
    }
    throw FatException.corrupt("FAT", fatOffset(2), "a free cluster, as the count of "
        + free + " said");
  }

  /** Frees {@code clusters[from..to)}. */
  public void free(long[] clusters, int from, int to) {
    for (int i = from; i < to; i++) {
      set(clusters[i], 0);
    }
  }

  private boolean hasFsInfo() {
    return boot.fat32() && boot.fsInfoSector() >= 1
        && boot.fsInfoSector() < boot.reservedSectors();
  }

  private ByteBuffer readFsInfo() throws IOException {
    ByteBuffer s = ByteBuffer.allocate(boot.bytesPerSector());
    device.readFully((long) boot.fsInfoSector() * boot.bytesPerSector(), s, "FSInfo");
    return s;
  }

  /**
   * Writes the changed sectors, then FAT32's FSInfo hints (only when the sector is a valid
   * FSInfo: a volume without one keeps none).
   */
  public void flush() throws IOException {
    writeDirty();
    if (hasFsInfo()) {
      ByteBuffer s = readFsInfo();
      if (FsInfo.isValid(s)) {
        ByteBuffer out = new FsInfo(free, nextFree).serialize(boot.bytesPerSector());
        device.writeFully((long) boot.fsInfoSector() * boot.bytesPerSector() + 488,
            out.slice(488, 8));
      }
    }
  }

  /**
   * Writes the changed sectors to every FAT copy. Called before a directory entry comes to name
   * newly allocated clusters, so that a crash leaves at worst lost clusters, never an entry
   * pointing into clusters the FAT calls free.
   */
  public void writeDirty() throws IOException {
    int bps = boot.bytesPerSector();
    for (int s = dirty.nextSetBit(0); s >= 0; s = dirty.nextSetBit(s + 1)) {
      int len = Math.min(bps, raw.length - s * bps);
      for (int copy = 0; copy < boot.fatCount(); copy++) {
        long pos = (boot.fatStartSector() + copy * boot.fatSize() + s) * bps;
        device.writeFully(pos, ByteBuffer.wrap(raw, s * bps, len));
      }
    }
    dirty.clear();
  }
}
