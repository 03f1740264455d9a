package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatType;
import io.github.qcow2nio.fat.FormatOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes an empty volume to a {@link Layout}: boot sector (and FAT32's FSInfo and backups),
 * zeroed FATs with their two reserved entries, an empty root directory, and the volume label
 * both in the boot sector and as the root's label entry, as fsck.fat expects them to agree.
 */
public final class Formatter {
  private Formatter() {}

  public static Layout format(SeekableByteChannel target, long size, FatType type,
      FormatOptions opts, Instant now) throws IOException {
    Layout l = Layout.plan(size, type, opts);
    Device d = new Device(target, true);
    long bytes = l.totalSectors() * Layout.SECTOR;
    if (d.size() < bytes) {
      d.writeFully(bytes - 1, ByteBuffer.allocate(1));
    }
    boolean fat32 = l.type() == FatType.FAT32;
    int rootClusterSectors = fat32 ? l.sectorsPerCluster() : 0;
    long zeroEnd = (l.dataStartSector() + rootClusterSectors) * Layout.SECTOR;
    ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
    for (long p = 0; p < zeroEnd; p += zeros.capacity()) {
      d.writeFully(p, zeros.clear().limit((int) Math.min(zeros.capacity(), zeroEnd - p)));
    }
    BootSector boot = new BootSector(
        new byte[] {(byte) 0xEB, (byte) (fat32 ? 0x58 : 0x3C), (byte) 0x90}, "QCOW2NIO",
        Layout.SECTOR, l.sectorsPerCluster(), l.reservedSectors(), l.fatCount(),
        l.rootEntries(), l.totalSectors(), 0xF8, l.fatSize(), 32, 64, 0, fat32, 0,
        fat32 ? 2 : 0, fat32 ? 1 : 0, fat32 ? 6 : 0, 0x80, 0, opts.volumeId(),
        opts.paddedLabel(), String.format("%-8s", l.type().name()));
    d.writeFully(0, boot.serialize());
    if (fat32) {
      d.writeFully(6L * Layout.SECTOR, boot.serialize());
      ByteBuffer info = new FsInfo(l.clusters() - 1, 3).serialize(Layout.SECTOR);
      d.writeFully(Layout.SECTOR, info.duplicate());
      d.writeFully(7L * Layout.SECTOR, info.duplicate());
    }
    ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    switch (l.type()) {
      case FAT12 -> head.put(new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFF}).flip();
      case FAT16 -> head.putShort((short) 0xFFF8).putShort((short) 0xFFFF).flip();
      case FAT32 -> head.putInt(0x0FFFFFF8).putInt(0x0FFFFFFF).putInt(0x0FFFFFFF).flip();
    }
    for (int i = 0; i < l.fatCount(); i++) {
      d.writeFully((l.reservedSectors() + i * l.fatSize()) * Layout.SECTOR, head.duplicate());
    }
    if (opts.label() != null) {
      int date = DosTime.date(now);
      int time = DosTime.time(now);
      ShortEntry label = new ShortEntry(
          opts.paddedLabel().getBytes(StandardCharsets.ISO_8859_1), ShortEntry.VOLUME_ID, 0, 0,
          0, 0, 0, 0, time, date, 0);
      ByteBuffer e = ByteBuffer.allocate(ShortEntry.SIZE);
      label.serialize(e, 0);
      long rootStart = fat32 ? l.dataStartSector() : l.dataStartSector()
          - (long) l.rootEntries() * 32 / Layout.SECTOR;
      d.writeFully(rootStart * Layout.SECTOR, e);
    }
    d.force();
    return l;
  }
}
