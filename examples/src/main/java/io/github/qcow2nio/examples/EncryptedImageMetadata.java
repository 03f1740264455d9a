package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.StructReader;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The metadata of an encrypted qcow2 image, which {@code qemu-img info} shows without a key. The
 * core does not open encrypted images yet, so this reads the structures info needs with the
 * core's parsers: header, extensions, snapshot table, bitmap directory, and the LUKS header.
 *
 * @param encryption "aes" or "luks"
 * @param luks the LUKS header, for "luks"
 */
record EncryptedImageMetadata(Header header, HeaderExtensions extensions,
    List<SnapshotEntry> snapshots, List<BitmapDirectoryEntry> bitmaps, String encryption,
    ImageInfo.Luks luks) {

  private static final int CRYPT_METHOD_OFFSET = 32;

  /** True when the file's header names an encryption method (crypt_method, bytes 32..35). */
  static boolean isEncrypted(Path path) throws IOException {
    // Through the core's host file: its close gives back this process's image locks on the file.
    try (HostFile f = new PathLocation(path).open(false)) {
      ByteBuffer b = ByteBuffer.allocate(4);
      return f.read(b, CRYPT_METHOD_OFFSET) == 4 && b.getInt(0) != Header.CRYPT_NONE;
    }
  }

  static EncryptedImageMetadata read(Path path, String name) throws IOException {
    try (HostFile file = new PathLocation(path).open(false)) {
      long size = file.size();
      ByteBuffer cluster0 = start(file, Math.min(size, 4096));
      // The header and its extensions may fill all of cluster 0; its size is in bytes 20..23.
      int bits = cluster0.remaining() >= 24 ? cluster0.getInt(20) : 0;
      if (bits > 12 && bits <= Header.MAX_CLUSTER_BITS && size > cluster0.remaining()) {
        cluster0 = start(file, Math.min(size, 1L << bits));
      }
      Header h = Header.parse(cluster0, name);
      HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);
      StructReader structs = new StructReader(file, file.size());
      List<SnapshotEntry> snapshots = SnapshotTable.read(structs, h);
      List<BitmapDirectoryEntry> bitmaps = ext.bitmaps().isPresent() && h.hasBitmaps()
          ? BitmapDirectoryEntry.readDirectory(structs, h, ext.bitmaps().get()) : List.of();
      switch (h.cryptMethod()) {
        case Header.CRYPT_AES -> {
          return new EncryptedImageMetadata(h, ext, snapshots, bitmaps, "aes", null);
        }
        case Header.CRYPT_LUKS -> {
          CryptoHeaderPointer pointer = ext.crypto().orElseThrow(() -> new CorruptImageException(
              "full disk encryption header extension", h.extensionsStart(),
              "missing from a LUKS-encrypted image"));
          return new EncryptedImageMetadata(h, ext, snapshots, bitmaps, "luks",
              LuksHeaderReader.read(file, pointer));
        }
        default -> throw new UnsupportedImageException(name + ": unknown encryption method "
            + Integer.toUnsignedString(h.cryptMethod()));
      }
    }
  }

  private static ByteBuffer start(HostFile file, long length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) length);
    file.read(b, 0);
    return b.flip();
  }
}
