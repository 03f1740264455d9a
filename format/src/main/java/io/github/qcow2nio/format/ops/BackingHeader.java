package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Names a new backing file (or none) in an image's header: cluster 0 is rebuilt whole, header,
 * extensions (the backing format's replaced, every other kept in QEMU's order), then the name,
 * the rest zeros, as QEMU rewrites it, and written in one write that is forced. That write is the
 * switch: before it the image names its old backing file, after it the new one. Every other
 * field is rewritten with the bytes it had, so a write that lands in part can only garble the
 * backing file's name, format and offset: a failed write is therefore written once more at once
 * (the file stays open, so a transient failure leaves the complete new header).
 */
final class BackingHeader {
  private BackingHeader() {}

  /**
   * Writes the header of the image at {@code location} with backing file {@code name} (null for
   * none) of format {@code format} (null: none recorded); {@code shownName} is the name as the
   * caller gave it, for messages.
   */
  static void write(ImageLocation location, String name, String format, String shownName)
      throws IOException {
    try (HostFile file = location.open(true)) {
      file.lock(LockPermissions.image(true, false));
      long fileSize = file.size();
      ByteBuffer start = read(file, (int) Math.min(fileSize, 4096));
      int bits = start.remaining() >= 24 ? start.getInt(20) : 0;
      ByteBuffer cluster0 = start;
      if (bits > 12 && bits <= Header.MAX_CLUSTER_BITS && fileSize > start.remaining()) {
        cluster0 = read(file, (int) Math.min(fileSize, 1L << bits));
      }
      Header h = Header.parse(cluster0, location.displayName());
      HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);
      HeaderExtensions next = new HeaderExtensions(
          name == null ? Optional.empty() : Optional.ofNullable(format), ext.dataFile(),
          ext.featureNames(), ext.bitmaps(), ext.crypto(), ext.unknown(),
          Optional.ofNullable(name));
      byte[] extBytes = next.extensionBytes();
      byte[] nameBytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
      int headerLength = h.toBytes().length;
      int clusterSize = h.clusterSize();
      if (nameBytes.length > HeaderExtensions.MAX_BACKING_NAME
          || headerLength + extBytes.length + nameBytes.length > clusterSize) {
        // qemu-img's words for the same refusal (ENOSPC from the header update).
        throw new Qcow2Exception("Could not change the backing file to '" + shownName
            + "': No space left in the file header");
      }
      Header named = h.toBuilder()
          .backingFileOffset(nameBytes.length == 0 ? 0 : headerLength + extBytes.length)
          .backingFileSize(nameBytes.length).build();
      ByteBuffer out = ByteBuffer.allocate(clusterSize);
      out.put(named.toBytes()).put(extBytes).put(nameBytes).clear();
      boolean interrupted = false;
      try {
        file.write(out, 0);
      } catch (IOException e) {
        // A failed write may have landed in part, naming half a file: written again at once, a
        // transient failure leaves the whole new header (the other fields are unchanged bytes).
        // An interrupt waits until the header is whole and durable; its flag is set back after.
        interrupted = Thread.interrupted();
        try {
          file.write(out.clear(), 0);
        } catch (IOException again) {
          e.addSuppressed(again);
          restore(interrupted);
          throw e;
        }
      }
      try {
        file.force();
      } finally {
        restore(interrupted);
      }
    }
  }

  private static void restore(boolean interrupted) {
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static ByteBuffer read(HostFile file, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    file.read(b, 0);
    return b.flip();
  }
}
