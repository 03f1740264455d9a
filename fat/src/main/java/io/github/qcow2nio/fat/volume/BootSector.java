package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import io.github.qcow2nio.fat.FatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The boot sector with its BIOS parameter block: the volume's geometry. FAT32 is told apart, as
 * Linux and mtools tell it, by a zero 16-bit FAT size; FAT12 from FAT16 by the cluster count.
 *
 * @param totalSectors TotSec16, or TotSec32 when that is zero
 * @param fatSize sectors of one FAT: FATSz16, or FATSz32 on FAT32
 * @param state the byte after the drive number (Linux keeps its dirty bit there); preserved
 */
public record BootSector(byte[] jump, String oemName, int bytesPerSector, int sectorsPerCluster,
    int reservedSectors, int fatCount, int rootEntries, long totalSectors, int media,
    long fatSize, int sectorsPerTrack, int heads, long hiddenSectors, boolean fat32,
    int extFlags, long rootCluster, int fsInfoSector, int backupBootSector, int driveNumber,
    int state, int volumeId, String label, String fileSystemType) {

  public static final int SIZE = 512;

  /**
   * Whether {@code b} (at least 512 bytes) carries a FAT boot sector at all. Strict, because a
   * partitioned disk's MBR, an ext4 volume or anything else must be left to other providers.
   */
  public static boolean looksLikeFat(ByteBuffer b) {
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int j = s.get(0) & 0xff;
    if (!((j == 0xEB && (s.get(2) & 0xff) == 0x90) || j == 0xE9)) {
      return false;
    }
    int bps = s.getShort(11) & 0xffff;
    int spc = s.get(13) & 0xff;
    int reserved = s.getShort(14) & 0xffff;
    int fats = s.get(16) & 0xff;
    int media = s.get(21) & 0xff;
    long total = (s.getShort(19) & 0xffff) != 0 ? s.getShort(19) & 0xffff
        : s.getInt(32) & 0xffffffffL;
    long fatSize = (s.getShort(22) & 0xffff) != 0 ? s.getShort(22) & 0xffff
        : s.getInt(36) & 0xffffffffL;
    return bps >= 512 && bps <= 4096 && Integer.bitCount(bps) == 1
        && spc != 0 && Integer.bitCount(spc) == 1
        && reserved >= 1 && fats >= 1 && fats <= 4
        && (media == 0xF0 || media >= 0xF8)
        && total != 0 && fatSize != 0 && reserved + (long) fats * fatSize < total
        && (s.get(510) & 0xff) == 0x55 && (s.get(511) & 0xff) == 0xAA;
  }

  /**
   * Whether {@code b} says it is FAT (a jump, the signature and "FAT" as the file-system type)
   * whatever its other fields hold: such a sector is a damaged FAT volume, not someone else's.
   */
  public static boolean claimsFat(ByteBuffer b) {
    int j = b.get(0) & 0xff;
    return (j == 0xEB || j == 0xE9) && (b.get(510) & 0xff) == 0x55 && (b.get(511) & 0xff) == 0xAA
        && (fatTag(b, 54) || fatTag(b, 82));
  }

  private static boolean fatTag(ByteBuffer b, int off) {
    return b.get(off) == 'F' && b.get(off + 1) == 'A' && b.get(off + 2) == 'T';
  }

  /** Parses and checks the geometry against itself and a device of {@code deviceSize} bytes. */
  public static BootSector parse(ByteBuffer b, long deviceSize) throws FatException {
    if (!looksLikeFat(b)) {
      throw FatException.corrupt("boot sector", 0,
          "a FAT boot sector (jump, BPB fields in range, 0x55AA signature)");
    }
    ByteBuffer s = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[] jump = new byte[3];
    s.get(0, jump);
    int fat16Size = s.getShort(22) & 0xffff;
    boolean fat32 = fat16Size == 0;
    int ext = fat32 ? 64 : 36;
    long total = (s.getShort(19) & 0xffff) != 0 ? s.getShort(19) & 0xffff
        : s.getInt(32) & 0xffffffffL;
    boolean extended = (s.get(ext + 2) & 0xff) == 0x29 || (s.get(ext + 2) & 0xff) == 0x28;
    BootSector bs = new BootSector(jump, ascii(s, 3, 8), s.getShort(11) & 0xffff,
        s.get(13) & 0xff, s.getShort(14) & 0xffff, s.get(16) & 0xff, s.getShort(17) & 0xffff,
        total, s.get(21) & 0xff, fat32 ? s.getInt(36) & 0xffffffffL : fat16Size,
        s.getShort(24) & 0xffff, s.getShort(26) & 0xffff, s.getInt(28) & 0xffffffffL, fat32,
        fat32 ? s.getShort(40) & 0xffff : 0, fat32 ? s.getInt(44) & 0xffffffffL : 0,
        fat32 ? s.getShort(48) & 0xffff : 0, fat32 ? s.getShort(50) & 0xffff : 0,
        s.get(ext) & 0xff, s.get(ext + 1) & 0xff, extended ? s.getInt(ext + 3) : 0,
        extended ? ascii(s, ext + 7, 11) : "NO NAME    ",
        (s.get(ext + 2) & 0xff) == 0x29 ? ascii(s, ext + 18, 8) : "");
    bs.check(deviceSize);
    return bs;
  }

  private void check(long deviceSize) throws FatException {
    if (fat32 && rootEntries != 0) {
      throw FatException.corrupt("boot sector RootEntCnt", 17, "0 on FAT32, got " + rootEntries);
    }
    if (!fat32 && rootEntries == 0) {
      throw FatException.corrupt("boot sector RootEntCnt", 17, "a root directory size on FAT12/16");
    }
    if (dataStartSector() >= totalSectors) {
      throw FatException.corrupt("boot sector", 0, "a data region inside the "
          + totalSectors + " sectors, but it starts at sector " + dataStartSector());
    }
    if (totalSectors * bytesPerSector > deviceSize) {
      throw FatException.corrupt("boot sector TotSec", 19, "at most the device's "
          + deviceSize / bytesPerSector + " sectors, got " + totalSectors);
    }
    long clusters = clusterCount();
    if (clusters < 1) {
      throw FatException.corrupt("boot sector", 0, "at least one data cluster");
    }
    FatType t = type();
    if (fatSize * bytesPerSector * 8 / entryBits(t) < clusters + 2) {
      throw FatException.corrupt("boot sector FATSz", fat32 ? 36 : 22, "a FAT of at least "
          + (clusters + 2) + " entries, but " + fatSize + " sectors hold fewer");
    }
    if (fat32 && (rootCluster < 2 || rootCluster >= clusters + 2)) {
      throw FatException.corrupt("boot sector RootClus", 44,
          "a cluster in 2.." + (clusters + 1) + ", got " + rootCluster);
    }
    if (fat32 && (extFlags & 0x80) != 0 && (extFlags & 0x0f) >= fatCount) {
      throw FatException.corrupt("boot sector ExtFlags", 40, "an active FAT below " + fatCount);
    }
  }

  private static int entryBits(FatType t) {
    return t == FatType.FAT32 ? 32 : t.bits();
  }

  public FatType type() {
    return fat32 ? FatType.FAT32
        : clusterCount() < FatType.FAT12.clusterLimit() ? FatType.FAT12 : FatType.FAT16;
  }

  public long rootDirSectors() {
    return ((long) rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
  }

  public long fatStartSector() {
    return reservedSectors;
  }

  public long rootDirStartSector() {
    return reservedSectors + fatCount * fatSize;
  }

  public long dataStartSector() {
    return rootDirStartSector() + rootDirSectors();
  }

  public int clusterSize() {
    return bytesPerSector * sectorsPerCluster;
  }

  public long clusterCount() {
    return (totalSectors - dataStartSector()) / sectorsPerCluster;
  }

  /** Writes the sector as a non-bootable volume: the boot code only says so and halts. */
  public ByteBuffer serialize() {
    ByteBuffer s = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    s.put(0, jump);
    putAscii(s, 3, oemName, 8);
    s.putShort(11, (short) bytesPerSector);
    s.put(13, (byte) sectorsPerCluster);
    s.putShort(14, (short) reservedSectors);
    s.put(16, (byte) fatCount);
    s.putShort(17, (short) rootEntries);
    s.putShort(19, (short) (totalSectors < 0x10000 ? totalSectors : 0));
    s.put(21, (byte) media);
    s.putShort(22, (short) (fat32 ? 0 : fatSize));
    s.putShort(24, (short) sectorsPerTrack);
    s.putShort(26, (short) heads);
    s.putInt(28, (int) hiddenSectors);
    s.putInt(32, (int) (totalSectors < 0x10000 ? 0 : totalSectors));
    int ext = 36;
    if (fat32) {
      s.putInt(36, (int) fatSize);
      s.putShort(40, (short) extFlags);
      s.putShort(42, (short) 0);
      s.putInt(44, (int) rootCluster);
      s.putShort(48, (short) fsInfoSector);
      s.putShort(50, (short) backupBootSector);
      ext = 64;
    }
    s.put(ext, (byte) driveNumber);
    s.put(ext + 1, (byte) state);
    s.put(ext + 2, (byte) 0x29);
    s.putInt(ext + 3, volumeId);
    putAscii(s, ext + 7, label, 11);
    putAscii(s, ext + 18, fileSystemType, 8);
    // Boot code: "int 18h" asks the BIOS for the next boot device, as non-system disks do.
    int code = ext + 26;
    s.put(code, (byte) 0xCD).put(code + 1, (byte) 0x18).put(code + 2, (byte) 0xEB)
        .put(code + 3, (byte) 0xFE);
    s.put(510, (byte) 0x55).put(511, (byte) 0xAA);
    return s;
  }

  private static String ascii(ByteBuffer s, int off, int len) {
    byte[] b = new byte[len];
    s.get(off, b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static void putAscii(ByteBuffer s, int off, String text, int len) {
    byte[] b = String.format("%-" + len + "s", text).getBytes(StandardCharsets.ISO_8859_1);
    s.put(off, b, 0, len);
  }
}
