package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.Formatter;
import io.github.qcow2nio.fat.volume.Layout;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;

/**
 * Makes an empty FAT volume ({@code mkfs.fat} in Java) over the first {@code size} bytes of any
 * channel: a raw file, a qcow2 image's {@code /disk}, a partition. 512-byte sectors.
 */
public final class FatFormatter {
  private FatFormatter() {}

  /**
   * Formats {@code target}.
   *
   * @param type FAT12, FAT16 or FAT32, or null to choose by size as mkfs.fat does
   * @return the type written
   * @throws IllegalArgumentException when {@code size} cannot hold a volume of that type with
   *     the options' cluster size
   */
  public static FatType format(SeekableByteChannel target, long size, FatType type,
      FormatOptions opts) throws IOException {
    Layout l = Formatter.format(target, size, type, opts, Instant.now());
    return l.type();
  }
}
