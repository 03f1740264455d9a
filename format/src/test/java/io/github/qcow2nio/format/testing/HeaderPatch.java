package io.github.qcow2nio.format.testing;

import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Names a backing file in an image's first cluster without opening it, as an image from a
 * stranger would: tests of what is done with such names need images whose names point anywhere.
 */
public final class HeaderPatch {
  private HeaderPatch() {}

  /** Names {@code backing} (format {@code format}, or none when null) in cluster 0. */
  public static void nameBacking(Path file, String backing, String format) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer first = ByteBuffer.allocate(4096);
      ch.read(first, 0);
      first.flip();
      Header h = Header.parse(first.duplicate(), file.toString());
      HeaderExtensions e = HeaderExtensions.parse(first.duplicate(), h);
      HeaderExtensions named = new HeaderExtensions(Optional.ofNullable(format), e.dataFile(),
          e.featureNames(), e.bitmaps(), e.crypto(), e.unknown(), Optional.of(backing));
      byte[] ext = named.extensionBytes();
      byte[] name = backing.getBytes(StandardCharsets.UTF_8);
      int start = h.extensionsStart();
      Header withName = h.toBuilder().backingFileOffset(start + ext.length)
          .backingFileSize(name.length).build();
      ByteBuffer c0 = ByteBuffer.allocate(start + ext.length + name.length);
      c0.put(withName.toBytes()).put(ext).put(name).clear();
      while (c0.hasRemaining()) {
        ch.write(c0, c0.position());
      }
    }
  }
}
