package io.github.qcow2nio.fat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Fresh volumes made by our formatter, for tests that need no tool. */
final class Volumes {
  private Volumes() {}

  static Path format(Path img, long size, FatType type, FormatOptions opts) throws IOException {
    try (SeekableByteChannel ch = img.getFileSystem() == java.nio.file.FileSystems.getDefault()
        ? FileChannel.open(img, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)
        : Files.newByteChannel(img, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      FatFormatter.format(ch, size, type, opts);
    }
    return img;
  }

  static Path format(Path img, long size, FatType type) throws IOException {
    return format(img, size, type, FormatOptions.defaults().withLabel("TEST")
        .withVolumeId(0x0badf00d));
  }
}
