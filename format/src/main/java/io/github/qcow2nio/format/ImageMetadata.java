package io.github.qcow2nio.format;

import io.github.qcow2nio.format.crypto.LuksHeaderFields;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An image's metadata read without opening its data: header, extensions, snapshots, bitmaps and,
 * for an encrypted image, what its encryption header says. This is what {@code qemu-img info}
 * shows of an encrypted image it has no key for; no passphrase is needed or taken, and no data
 * file or backing file is opened.
 *
 * @param encryption how the image is encrypted, or null when it is not
 */
public record ImageMetadata(Header header, HeaderExtensions extensions,
    List<SnapshotEntry> snapshots, List<BitmapDirectoryEntry> bitmaps,
    EncryptionInfo encryption) {

  public ImageMetadata {
    snapshots = List.copyOf(snapshots);
    bitmaps = List.copyOf(bitmaps);
  }

  /**
   * Reads the metadata of the image at {@code location}, with QEMU's read locks unless
   * {@code forceShare} ({@code qemu-img -U}), and the header checks a read-only open makes.
   */
  public static ImageMetadata read(ImageLocation location, boolean forceShare)
      throws IOException {
    String name = location.displayName();
    try (HostFile file = location.open(false)) {
      file.lock(LockPermissions.image(false, forceShare));
      long size = file.size();
      // The header and its extensions may fill all of cluster 0; its size is in bytes 20..23.
      ByteBuffer cluster0 = start(file, Math.min(size, 4096));
      int bits = cluster0.remaining() >= 24 ? cluster0.getInt(20) : 0;
      if (bits > 12 && bits <= Header.MAX_CLUSTER_BITS && size > cluster0.remaining()) {
        cluster0 = start(file, Math.min(size, 1L << bits));
      }
      Header h = Header.parse(cluster0, name);
      HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);
      HeaderChecks.check(h, ext, name, false, size);
      StructReader structs = new StructReader(file, size);
      List<SnapshotEntry> snapshots = SnapshotTable.read(structs, h);
      List<BitmapDirectoryEntry> bitmaps = ext.bitmaps().isPresent() && h.hasBitmaps()
          ? BitmapDirectoryEntry.readDirectory(structs, h, ext.bitmaps().get()) : List.of();
      EncryptionInfo encryption = null;
      if (h.cryptMethod() == Header.CRYPT_AES) {
        encryption = EncryptionInfo.aes();
      } else if (h.cryptMethod() == Header.CRYPT_LUKS) {
        // HeaderChecks made sure a LUKS image has its extension.
        CryptoHeaderPointer area = ext.crypto().orElseThrow();
        encryption = EncryptionInfo.luks(
            LuksHeaderFields.read(structs, area.offset(), area.length()));
      }
      return new ImageMetadata(h, ext, snapshots, bitmaps, encryption);
    }
  }

  private static ByteBuffer start(HostFile file, long length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) length);
    file.read(b, 0);
    return b.flip();
  }
}
