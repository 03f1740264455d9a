package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.Qcow2Image;
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
 * {@code create -u}: an image whose backing file is not opened (it may not exist yet). The core
 * opens the backing file of every image it creates, so the image is made without one and then
 * named in cluster 0 as qemu-img names it when it finishes a create: the backing format
 * extension among the others, the name right after the end marker.
 */
final class UnsafeBacking {
  private UnsafeBacking() {}

  static void create(Path file, CreateOptions o) throws IOException, ToolError {
    String name = file.toString();
    // What the core would check with the backing file, with qemu-img's words.
    if (o.dataFileRaw()) {
      throw ToolError.of(name + ": Backing file and data-file-raw cannot be used at the same "
          + "time");
    }
    if (o.preallocation() != Preallocation.OFF && !o.extendedL2()) {
      throw ToolError.of(name + ": Backing file and preallocation can only be used at the same "
          + "time if extended_l2 is on");
    }
    byte[] backing = o.backingFile().getBytes(StandardCharsets.UTF_8);
    if (backing.length > HeaderExtensions.MAX_BACKING_NAME) {
      throw ToolError.of(name + ": Backing file name too long");
    }
    Qcow2Image.create(file, o.toBuilder().backingFile(null).backingFormat(null).build())
        .close();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer first = ByteBuffer.allocate(o.clusterSize());
      ch.read(first, 0);
      first.flip();
      Header h = Header.parse(first.duplicate(), name);
      HeaderExtensions e = HeaderExtensions.parse(first.duplicate(), h);
      HeaderExtensions named = new HeaderExtensions(Optional.of(o.backingFormat()),
          e.dataFile(), e.featureNames(), e.bitmaps(), e.crypto(), e.unknown(),
          Optional.of(o.backingFile()));
      byte[] ext = named.extensionBytes();
      int start = h.extensionsStart();
      if (start + ext.length + backing.length > o.clusterSize()) {
        throw ToolError.of(name + ": the header, its extensions and the backing file name do "
            + "not fit in one cluster of " + o.clusterSize() + " bytes");
      }
      Header withName = h.toBuilder().backingFileOffset(start + ext.length)
          .backingFileSize(backing.length).build();
      ByteBuffer c0 = ByteBuffer.allocate(o.clusterSize());
      c0.put(withName.toBytes()).put(ext).put(backing).clear();
      while (c0.hasRemaining()) {
        ch.write(c0, c0.position());
      }
      ch.force(true);
    }
  }
}
