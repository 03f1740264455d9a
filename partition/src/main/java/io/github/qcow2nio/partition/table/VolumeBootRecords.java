package io.github.qcow2nio.partition.table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Tells a volume boot record (FAT, NTFS, exFAT on a whole disk) from an MBR. Both end in 0x55AA;
 * a volume boot record starts with an x86 jump and has a BIOS parameter block whose fields have
 * few legal values, or names its file system in the OEM field.
 */
final class VolumeBootRecords {
  private VolumeBootRecords() {}

  static boolean looksLikeOne(ByteBuffer sector) {
    ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int b0 = b.get(0) & 0xFF;
    boolean jump = (b0 == 0xEB && (b.get(2) & 0xFF) == 0x90) || b0 == 0xE9;
    if (!jump) {
      return false;
    }
    byte[] oem = new byte[8];
    b.get(3, oem);
    String name = new String(oem, StandardCharsets.US_ASCII);
    if (name.equals("NTFS    ") || name.equals("EXFAT   ")) {
      return true;
    }
    int bytesPerSector = b.getShort(11) & 0xFFFF;
    int sectorsPerCluster = b.get(13) & 0xFF;
    int reserved = b.getShort(14) & 0xFFFF;
    int fats = b.get(16) & 0xFF;
    return isPowerOfTwo(bytesPerSector) && bytesPerSector >= 512 && bytesPerSector <= 4096
        && isPowerOfTwo(sectorsPerCluster) && reserved >= 1 && fats >= 1 && fats <= 4;
  }

  private static boolean isPowerOfTwo(int v) {
    return v > 0 && (v & (v - 1)) == 0;
  }
}
